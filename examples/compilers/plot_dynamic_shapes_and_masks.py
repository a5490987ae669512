"""
===================================
Dynamic shapes are control flow too
===================================

``x[x > 0]`` has as many elements as ``x`` has positive entries, so its *shape* depends on the
data, just as the branch an ``if`` takes does. A compiler that needs every shape before the
program runs treats it like a data-dependent ``if``. You will see ``jax.jit`` refuse a boolean
mask, three fixed-shape rewrites with their gradients (one of them wrong in two different ways
when its padding is careless), an ``if`` on a shape compiling one program per length (counted)
and padding to buckets cutting that count, Python ``and`` / ``or`` / ``not`` failing on
traced values, and what ``torch.compile`` does with a mask. The guide page
:doc:`/guide/compilers` puts these examples in order.
"""

# %%
# A boolean mask, differentiated eagerly
# --------------------------------------
# ``positive_square_sum`` sums the squares of the positive entries. Without ``jit``,
# ``jax.grad`` runs it on concrete numbers: the mask selects three of five entries and the
# gradient is ``2 x`` there, 0 where the mask dropped the entry.
import jax
import jax.numpy as jnp
import numpy as np
import torch
import torch._dynamo
from torch._dynamo.backends.registry import lookup_backend

x = jnp.array([-1.0, 2.0, 3.0, -4.0, 5.0])


def positive_square_sum(x):
    return (x[x > 0] ** 2).sum()


eager_value, eager_grad = jax.value_and_grad(positive_square_sum)(x)
print(f"eager: value {eager_value}, gradient {eager_grad}")
np.testing.assert_allclose(eager_value, 38.0, err_msg="eager masked value")
np.testing.assert_allclose(eager_grad, [0.0, 4.0, 6.0, 0.0, 10.0], err_msg="eager masked grad")

# %%
# ``jax.jit`` refuses the mask
# ----------------------------
# Under ``jit`` the mask is a tracer: its shape (``bool[5]``) is known, its values are not,
# so the length of ``x[x > 0]`` is unknown and JAX raises. ``jnp.nonzero`` without a ``size``
# fails for the same reason with a :ref:`error-concretizationtypeerror`.
try:
    jax.jit(positive_square_sum)(x)
except jax.errors.NonConcreteBooleanIndexError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:1]))
    assert "boolean indices must be concrete" in message, f"message changed: {message}"
else:
    raise AssertionError("jax.jit(positive_square_sum) no longer raises")

try:
    jax.jit(lambda x: jnp.nonzero(x > 0))(x)
except jax.errors.ConcretizationTypeError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:2]))
    assert "size argument of jnp.nonzero" in message, f"message changed: {message}"
else:
    raise AssertionError("jax.jit(jnp.nonzero) without size no longer raises")


# %%
# Fixed-shape rewrites, and what padding does
# -------------------------------------------
# ``jnp.where`` and ``jnp.sum(..., where=mask)`` keep all five entries and zero the dropped
# ones (``-0.`` is a zero). ``jnp.nonzero(mask, size=4)`` returns exactly four indices,
# padding the missing one with ``fill_value``: the default 0 points at ``x[0] = -1``, which
# then counts (value 39, gradient -2 at index 0). Padding with the out-of-range index 5 is
# wrong differently: reading clamps it to ``x[4] = 5`` (value 63 = 38 + 25), while the
# gradient's scatter drops it, so value and gradient disagree (index 4 keeps 10, the gradient
# of a single ``x[4] ** 2``). Reading with ``mode="fill"`` turns the padding into 0 and
# matches the eager mask.
def where_sum(x):
    return jnp.where(x > 0, x**2, 0.0).sum()


def sum_where(x):
    return jnp.sum(x**2, where=x > 0)


def nonzero_default_fill(x):
    (kept,) = jnp.nonzero(x > 0, size=4)
    return (x[kept] ** 2).sum()


def nonzero_out_of_range(x):
    (kept,) = jnp.nonzero(x > 0, size=4, fill_value=x.shape[0])
    return (x[kept] ** 2).sum()


def nonzero_mode_fill(x):
    (kept,) = jnp.nonzero(x > 0, size=4, fill_value=x.shape[0])
    return (x.at[kept].get(mode="fill", fill_value=0.0) ** 2).sum()


wrong = {
    nonzero_default_fill: (39.0, [-2.0, 4.0, 6.0, 0.0, 10.0]),
    nonzero_out_of_range: (63.0, [0.0, 4.0, 6.0, 0.0, 10.0]),
}
rewrites = [where_sum, sum_where, nonzero_default_fill, nonzero_out_of_range, nonzero_mode_fill]
all_rewrites = jax.jit(lambda x: [jax.value_and_grad(fn)(x) for fn in rewrites])  # one compile
for fn, (value, grad) in zip(rewrites, all_rewrites(x)):
    print(f"{fn.__name__:21s} value {float(value):5.1f}  gradient {grad}")
    expected_value, expected_grad = wrong.get(fn, (eager_value, eager_grad))
    np.testing.assert_allclose(value, expected_value, err_msg=f"{fn.__name__} value")
    np.testing.assert_allclose(grad, expected_grad, err_msg=f"{fn.__name__} gradient")

# %%
# An ``if`` on a shape: one program per length
# --------------------------------------------
# ``trimmed_mean`` drops both end points when there are more than two. The ``if`` reads a
# shape, which a tracer knows, so ``jit`` accepts it, and compiles once per input length: the
# list fills only while JAX traces, and ``_cache_size()`` (a private helper) agrees.
lengths = [3, 5, 6, 7, 8, 5, 3]
traces = []


def trimmed_mean(x):
    traces.append(x.shape[0])  # runs at trace time only
    if x.shape[0] > 2:
        x = x[1:-1]
    return x.mean()


per_shape = jax.jit(jax.value_and_grad(trimmed_mean))
per_shape_results = [per_shape(jnp.arange(1.0, n + 1) ** 2) for n in lengths]
print(f"{len(lengths)} calls, traced for lengths {traces}, cache {per_shape._cache_size()}")
assert traces == sorted(set(lengths)), f"one trace per distinct length expected: {traces}"
assert per_shape._cache_size() == len(set(lengths)), f"cache {per_shape._cache_size()}"

# %%
# Padding to buckets: few programs, and the ``if`` becomes a value
# ----------------------------------------------------------------
# Pad each input with zeros to the next power of two (at least 4) and pass the true length as
# an array. Now the length is data, so the ``if`` on it must become a ``jnp.where`` on masks
# combined with ``&``. Two buckets (4 and 8), two programs; values and gradients (on the real
# entries; the padding gets 0) equal the per-length ones.
bucket_traces = []


def trimmed_mean_padded(x_padded, length):
    bucket_traces.append(x_padded.shape[0])
    index = jnp.arange(x_padded.shape[0])
    valid = index < length
    keep = jnp.where(length > 2, valid & (index > 0) & (index < length - 1), valid)
    return jnp.sum(x_padded, where=keep) / jnp.sum(keep)


bucketed = jax.jit(jax.value_and_grad(trimmed_mean_padded))
for n, (value, grad) in zip(lengths, per_shape_results):
    bucket = max(4, 1 << (n - 1).bit_length())
    x_padded = jnp.zeros(bucket).at[:n].set(jnp.arange(1.0, n + 1) ** 2)
    padded_value, padded_grad = bucketed(x_padded, jnp.int32(n))
    np.testing.assert_allclose(padded_value, value, rtol=1e-6, err_msg=f"value, length {n}")
    np.testing.assert_allclose(padded_grad[:n], grad, rtol=1e-6, err_msg=f"grad, length {n}")
    np.testing.assert_allclose(padded_grad[n:], 0.0, err_msg=f"padding grad, length {n}")
print(f"{len(lengths)} calls, traced for buckets {bucket_traces}, cache {bucketed._cache_size()}")
assert bucket_traces == [4, 8], f"one trace per bucket expected: {bucket_traces}"


# %%
# Python ``and``, ``or``, ``not`` ask for a ``bool``
# --------------------------------------------------
# ``a and b``, ``a or b`` and ``not a`` all call ``bool(a)``, the same conversion an ``if``
# makes, so each raises the :ref:`error-tracerboolconversionerror` under ``jit`` on a scalar.
# On an array the conversion fails first, even under ``jit``, with the ``ValueError`` of
# :ref:`error-jax-truth-value-ambiguous`.
def in_band_and(x):
    return jnp.where((x > 0) and (x < 2), x**2, 0.0)


def outside_band_or(x):
    return jnp.where((x < 0) or (x > 2), x**2, 0.0)


def not_positive(x):
    return jnp.where(not (x > 0), x**2, 0.0)


for fn in [in_band_and, outside_band_or, not_positive]:
    try:
        jax.jit(fn)(1.0)
    except jax.errors.TracerBoolConversionError as err:
        message = str(err).strip()
        print(f"{fn.__name__}: {type(err).__name__}:", message.splitlines()[0])
        assert "Attempted boolean conversion" in message, f"message changed: {message}"
    else:
        raise AssertionError(f"jax.jit({fn.__name__}) no longer raises")

try:
    jax.jit(in_band_and)(x)
except ValueError as err:
    message = str(err).strip()
    print(f"in_band_and on an array: {type(err).__name__}:", message.splitlines()[0])
    assert "truth value of an array" in message, f"message changed: {message}"
else:
    raise AssertionError("jax.jit(in_band_and) on an array no longer raises ValueError")


# %%
# The fix: elementwise ``&``, ``|``, ``~`` or ``jnp.logical_*``
# -------------------------------------------------------------
# The operators and the functions build the same boolean array; a ``where`` on it
# differentiates like any other: ``2 x`` inside ``0 < x < 2`` or below ``-3``, else 0.
def band_operators(x):
    return jnp.where(((x > 0) & (x < 2)) | ~(x > -3), x**2, 0.0).sum()


def band_functions(x):
    condition = jnp.logical_or(jnp.logical_and(x > 0, x < 2), jnp.logical_not(x > -3))
    return jnp.where(condition, x**2, 0.0).sum()


band_x = jnp.array([-4.0, -1.0, 0.5, 1.5, 3.0])
for fn in [band_operators, band_functions]:
    grad = jax.jit(jax.grad(fn))(band_x)
    print(f"{fn.__name__}: gradient {grad}")
    np.testing.assert_allclose(grad, [-8.0, 0.0, 1.0, 3.0, 0.0], err_msg=fn.__name__)


# %%
# PyTorch: eager masking, and ``torch.compile``
# ---------------------------------------------
# Eager autograd differentiates ``x[x > 0]`` like JAX's eager ``grad``: zeros where the mask
# dropped the entry. By default ``torch.compile`` breaks the graph at the mask ("Dynamic
# shape operator"): two graphs, the indexing between them runs in Python. With
# ``fullgraph=True`` TorchDynamo (torch |torch_version|) captures it in one graph instead (with
# ``capture_dynamic_output_shape_ops`` still off), its length an unbacked symbol (``u`` and a
# number), and the gradient through AOT autograd (backend ``aot_eager``) matches eager.
def positive_square_sum_torch(x):
    return (x[x > 0] ** 2).sum()


x_torch = torch.tensor([-1.0, 2.0, 3.0, -4.0, 5.0], requires_grad=True)
(eager_grad_torch,) = torch.autograd.grad(positive_square_sum_torch(x_torch), x_torch)
print("torch eager gradient:", eager_grad_torch.tolist())
torch.testing.assert_close(eager_grad_torch, torch.tensor([0.0, 4.0, 6.0, 0.0, 10.0]))

report = torch._dynamo.explain(positive_square_sum_torch)(x_torch)
reason = report.break_reasons[0].reason.splitlines()[0]
print(f"default: {report.graph_count} graphs, break reason {reason!r}")
assert report.graph_count == 2, f"{report.graph_count} graphs"
assert reason == "Dynamic shape operator", f"break reason {reason!r}"

graphs = []


def recording_aot_eager(graph_module, example_inputs):
    graphs.append(graph_module)
    return lookup_backend("aot_eager")(graph_module, example_inputs)


capture_flag = torch._dynamo.config.capture_dynamic_output_shape_ops
torch._dynamo.reset()
compiled = torch.compile(positive_square_sum_torch, backend=recording_aot_eager, fullgraph=True)
(grad,) = torch.autograd.grad(compiled(x_torch), x_torch)
print(f"fullgraph=True, capture flag {capture_flag}: {len(graphs)} graph, gradient {grad.tolist()}")
assert not capture_flag, "capture_dynamic_output_shape_ops is on: the point above is moot"
assert len(graphs) == 1, f"{len(graphs)} graphs"
torch.testing.assert_close(grad, eager_grad_torch, msg="fullgraph gradient")
unbacked_sizes = {
    str(node.meta["example_value"].shape[0])
    for node in graphs[0].graph.nodes
    if isinstance(node.meta.get("example_value"), torch.Tensor)
    and node.meta["example_value"].dim() == 1
    and isinstance(node.meta["example_value"].shape[0], torch.SymInt)
}
print("symbolic lengths in the fullgraph graph:", unbacked_sizes)
assert unbacked_sizes == {"u0"}, f"expected one unbacked size u0: {unbacked_sizes}"


# %%
# ``torch.compile``: an ``if`` on the masked length
# -------------------------------------------------
# The captured length ``u0`` has no value at compile time, so a Python ``if`` on it is a
# data-dependent branch: under ``fullgraph=True`` TorchDynamo raises ``UserError`` (for a
# value ``if`` it raises ``Unsupported``: :ref:`error-torch-compile-data-dependent-branching`).
# Counting the mask's ``True`` entries gives a tensor, and ``torch.where`` chooses on it in
# one graph, with the eager gradients on both sides.
def square_sum_if_many(x):
    kept = x[x > 0]
    if kept.shape[0] > 2:
        return (kept**2).sum()
    return kept.sum()


def square_sum_if_many_where(x):
    mask = x > 0
    many = mask.sum() > 2
    return torch.where(many, torch.where(mask, x**2, 0.0).sum(), torch.where(mask, x, 0.0).sum())


torch._dynamo.reset()
try:
    torch.compile(square_sum_if_many, backend="eager", fullgraph=True)(x_torch)
except torch._dynamo.exc.UserError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:1]))
    assert "Could not guard on data-dependent expression" in message, f"changed: {message}"
else:
    raise AssertionError("torch.compile(square_sum_if_many, fullgraph=True) no longer raises")

torch._dynamo.reset()
compiled_where = torch.compile(square_sum_if_many_where, backend="eager", fullgraph=True)
for values in [[-1.0, 2.0, 3.0, -4.0, 5.0], [-1.0, 2.0, -3.0, -4.0, 5.0]]:
    x_many = torch.tensor(values, requires_grad=True)
    (grad,) = torch.autograd.grad(compiled_where(x_many), x_many)
    (expected,) = torch.autograd.grad(square_sum_if_many(x_many), x_many)
    print(f"x = {values}: compiled where gradient {grad.tolist()}, eager if {expected.tolist()}")
    torch.testing.assert_close(grad, expected, msg=f"gradient at {values}")
