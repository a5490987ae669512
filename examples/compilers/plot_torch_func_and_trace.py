"""
================================================================
``torch.func`` and ``torch.jit.trace``: transforms meet branches
================================================================

``torch.func`` brings JAX-style function transforms to PyTorch, with the same split: ``grad``
runs your Python on real values and follows a data-dependent ``if``, while ``vmap`` cannot,
because a batched tensor has no single truth value. You will see the real errors, the
``torch.where`` form that batches, what ``torch.cond`` cannot do yet in torch |torch_version|,
and the older ``torch.jit.trace``, which does not refuse a branch: it warns while tracing,
freezes the branch it saw, and from then on returns that branch's value and gradient for
every input, with no warning and no error.

The JAX section shows the same transforms on the same function. The guide page
:doc:`/guide/compilers` puts these examples in order.
"""

# %%
# ``torch.func.grad`` follows a data-dependent ``if``
# ---------------------------------------------------
# ``torch.func.grad`` runs the function eagerly on real values, so a Python ``if`` on a tensor
# works and the gradient is that of the branch taken: ``2 x`` for positive inputs, ``-1``
# otherwise.
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import torch
from torch.func import grad, vmap


def branchy(x):
    if x > 0:
        return x**2
    return -x


for v, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    grad_value = grad(branchy)(torch.tensor(v))
    print(f"torch.func.grad(branchy)({v}) = {grad_value.item()}   expected {expected}")
    torch.testing.assert_close(grad_value, torch.tensor(expected), msg=f"torch.func.grad at {v}")

# %%
# ``torch.func.vmap`` refuses data-dependent control flow and ``.item()``
# -----------------------------------------------------------------------
# Under ``vmap`` a tensor stands for a whole batch, so it has no single truth value and no
# single Python number. Both attempts raise a ``RuntimeError`` that says so.
xs = torch.tensor([2.0, -1.0])
attempts = {  # name: (function, a phrase of the error)
    "if on a tensor": (branchy, "data-dependent control flow"),
    ".item()": (lambda x: x * x.item(), "calling .item() on a Tensor"),
}
for name, (fn, phrase) in attempts.items():
    try:
        vmap(fn)(xs)
    except RuntimeError as err:
        print(f"{name}: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
        assert phrase in str(err), f"{phrase!r} not in: {err}"
    else:
        raise AssertionError(f"vmap with {name} no longer raises RuntimeError")


# %%
# ``torch.where``: the batched form
# ---------------------------------
# ``torch.where`` chooses element-wise between two computed tensors, so it needs no Python
# decision and batches. ``vmap(grad(...))`` then gives one gradient per element, each that of
# its own branch.
def where_version(x):
    return torch.where(x > 0, x**2, -x)


per_example = vmap(grad(where_version))(xs)
print("vmap(grad(where_version))([2, -1]) =", per_example, "  expected [4., -1.]")
torch.testing.assert_close(per_example, torch.tensor([4.0, -1.0]))


# %%
# What ``torch.cond`` does not do yet
# -----------------------------------
# ``torch.cond`` works with ``torch.autograd``, under ``torch.compile`` and batched by ``vmap``
# (see :doc:`/auto_examples/compilers/plot_vmap_and_branches`), but in torch |torch_version| it
# takes no batched predicate (``torch.where`` is the element-wise choice),
# ``torch.func.grad`` of it fails inside its tracing machinery, and a gradient taken with
# ``create_graph=True`` comes back without a ``grad_fn``, so a second derivative raises.
def cond_version(x):
    return torch.cond(x > 0, lambda x: x**2, lambda x: -x, (x,))


try:
    torch.cond(xs > 0, lambda x: x**2, lambda x: -x, (xs,))
except RuntimeError as err:
    print(f"batched predicate: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
    assert "single-element tensor" in str(err), f"batched predicate: {err}"
else:
    raise AssertionError("torch.cond with a batched predicate no longer raises RuntimeError")
try:
    grad(cond_version)(torch.tensor(2.0))
except AssertionError as err:
    print(f"torch.func.grad: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
    assert "Expected FakeTensor" in str(err), f"torch.func.grad: {err}"
else:
    raise AssertionError("torch.func.grad of torch.cond no longer raises AssertionError")

x = torch.tensor(2.0, requires_grad=True)
(first_derivative,) = torch.autograd.grad(cond_version(x), x, create_graph=True)
print(f"first derivative {first_derivative}, requires_grad {first_derivative.requires_grad}")
assert not first_derivative.requires_grad, "create_graph=True now keeps a grad_fn"
try:
    torch.autograd.grad(first_derivative, x)
except RuntimeError as err:
    print(f"second derivative: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
    assert "does not require grad" in str(err), f"second derivative: {err}"
else:
    raise AssertionError("the second derivative through torch.cond no longer raises")

# %%
# ``torch.jit.trace`` warns while tracing, then freezes the branch it saw
# -----------------------------------------------------------------------
# Tracing runs the function once on an example and records the operations that ran; the
# ``if`` is evaluated once and frozen. While tracing, PyTorch warns (a ``TracerWarning`` for
# the tensor converted to a Python bool and, in torch |torch_version|, a ``FutureWarning`` for
# ``torch.jit.trace`` itself). We record the warnings to show their categories and first lines.
#
# .. release-change:: doctest: guide/compilers: >>> print(sorted({w.category.__name__ for w
#    in caught}))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    traced = torch.jit.trace(branchy, torch.tensor(2.0))
trace_warnings = {w.category.__name__: str(w.message).splitlines()[0] for w in caught}
for category, message in trace_warnings.items():
    print(f"{category}: {message}")
for expected in ["TracerWarning", "FutureWarning"]:
    assert expected in trace_warnings, f"{expected} missing from {sorted(trace_warnings)}"
print("traced code:", traced.code)

# %%
# Calling the traced function is silent. On an input that should take the other branch it
# still squares: its value and its gradient are both wrong, and no warning is raised.
x = torch.tensor(-3.0, requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    y_traced = traced(x)
    (g_traced,) = torch.autograd.grad(y_traced, x)
y_eager = branchy(x)
(g_eager,) = torch.autograd.grad(y_eager, x)
print(f"at -3: traced {y_traced.item()} (gradient {g_traced.item()}), warnings: {len(caught)}")
print(f"at -3: eager {y_eager.item()} (gradient {g_eager.item()})")
assert not caught, f"the traced call warned: {[w.category.__name__ for w in caught]}"
torch.testing.assert_close(y_eager, torch.tensor(3.0))
torch.testing.assert_close(y_traced, torch.tensor(9.0), msg="the frozen x**2 branch")
torch.testing.assert_close(g_traced, torch.tensor(-6.0), msg="gradient of the frozen branch")

# %%
# JAX: the same split, without the silent trace
# ---------------------------------------------
# ``jax.grad`` follows the ``if`` like ``torch.func.grad``; ``jax.vmap`` refuses it like
# ``torch.func.vmap``; ``jnp.where`` is the batched form; ``lax.cond`` has a second derivative,
# unlike ``torch.cond`` above. JAX's tracer never freezes a branch
# on a traced value: where ``torch.jit.trace`` warns and records, ``jax.jit`` raises (shown in
# :doc:`/auto_examples/compilers/plot_jit_and_python_branches`).
for v, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    grad_value = jax.grad(branchy)(v)
    print(f"jax.grad(branchy)({v}) = {grad_value}   expected {expected}")
    np.testing.assert_allclose(grad_value, expected, rtol=1e-6, err_msg=f"jax.grad at {v}")
try:
    jax.vmap(branchy)(jnp.array([2.0, -1.0]))
except jax.errors.TracerBoolConversionError as err:
    print(f"vmap: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("jax.vmap(branchy) no longer raises TracerBoolConversionError")
per_example = jax.vmap(jax.grad(lambda x: jnp.where(x > 0, x**2, -x)))(jnp.array([2.0, -1.0]))
print("vmap(grad(jnp.where version)) =", per_example, "  expected [ 4. -1.]")
np.testing.assert_allclose(per_example, [4.0, -1.0], rtol=1e-6, err_msg="vmap(grad(where))")
second_derivative = jax.grad(jax.grad(lambda x: jax.lax.cond(x > 0, jnp.square, jnp.negative, x)))
print(f"second derivative of lax.cond at 2.0: {second_derivative(2.0)}   expected 2.0")
np.testing.assert_allclose(second_derivative(2.0), 2.0, rtol=1e-6, err_msg="lax.cond, 2nd order")
