"""
===============================================================
Static versus traced values, and recursion through ``lax.cond``
===============================================================

Under ``jax.jit`` every argument is *traced* (a stand-in with a shape and a dtype but no
value) unless you mark it *static*, in which case your Python code sees the real object and
JAX compiles one program per value. Below you will see what may be static (hashable objects:
a tuple yes; a list, a NumPy array or a JAX array no, each with its real error), three ways a
value meant to be static turns into a tracer anyway (computed with ``jnp``, passed through
an outer ``jit``, or handed to ``jax.checkpoint``), and why a recursion whose base case is a
``lax.cond`` never stops tracing, with two fixes whose gradients match the closed form.
PyTorch's eager recursion is the contrast.

The guide page :doc:`/guide/compilers` puts these examples in order.
"""

# %%
# A static argument must be hashable
# ----------------------------------
# ``horner(x, coefficients)`` evaluates a polynomial with a Python loop over its
# coefficients. Marked static (``static_argnums=1``, or ``static_argnames="coefficients"``),
# the coefficients are a cache key for the compiled program, so JAX hashes them. A list, a
# NumPy array and a JAX array are not hashable, and JAX raises a ``ValueError`` that names
# the type.
import functools
import inspect
import sys

import jax
import jax.numpy as jnp
import numpy as np
import torch
from jax import lax


def horner(x, coefficients):
    result = 0.0
    for c in coefficients:  # c[0] x**2 + c[1] x + c[2] for three coefficients
        result = result * x + c
    return result


horner_static = jax.jit(horner, static_argnums=1)
for unhashable in [[1.0, -2.0, 3.0], np.array([1.0, -2.0, 3.0]), jnp.array([1.0, -2.0, 3.0])]:
    try:
        horner_static(2.0, unhashable)
    except ValueError as err:
        message = str(err).strip()
        print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:2]), "\n")
        assert "Non-hashable static arguments" in message, f"unexpected message: {message}"
        assert type(unhashable).__name__ in message, f"type not named: {message}"
    else:
        raise AssertionError(f"a static {type(unhashable).__name__} no longer raises ValueError")

# %%
# Two fixes: a tuple, or a traced argument
# ----------------------------------------
# A tuple of floats is hashable (marked static by name here, ``static_argnames``): each
# distinct tuple is one compilation. Left unmarked, the coefficients are a traced array; the
# Python loop still works, since it iterates over the array's *shape*, which a tracer knows,
# and one compilation serves every value. The list ``traces`` grows only while JAX traces.
# The derivative is ``2 c[0] x + c[1]``.
traces = []


def horner_counted(x, coefficients):
    traces.append(type(coefficients).__name__)  # a Python side effect: runs at trace time
    return horner(x, coefficients)


as_tuple = jax.jit(horner_counted, static_argnames="coefficients")
as_array = jax.jit(horner_counted)
for coefficients in [(1.0, -2.0, 3.0), (2.0, 0.0, -1.0)]:
    expected = 2 * coefficients[0] * 2.0 + coefficients[1]
    for name, gradient in [
        ("static tuple", jax.grad(as_tuple)(2.0, coefficients)),
        ("traced array", jax.grad(as_array)(2.0, jnp.array(coefficients))),
    ]:
        print(f"{coefficients}, {name}: d/dx at 2.0 = {gradient}   expected {expected}")
        np.testing.assert_allclose(gradient, expected, rtol=1e-6, err_msg=f"{name} {coefficients}")
print("traced with:", traces)
assert traces.count("tuple") == 2, f"expected 2 traces with a tuple, got {traces}"
assert len(traces) == 3, f"expected one trace for the traced array, got {traces}"


# %%
# A number computed with ``jnp`` is a tracer
# ------------------------------------------
# Inside a jitted function every ``jnp`` operation is recorded, even on a shape: the number
# of halvings of a pairwise sum computed as ``jnp.log2(x.size)`` is a tracer, and ``range``
# cannot use it (:ref:`error-tracerintegerconversionerror`; for an ``if`` on such a value,
# see :ref:`error-tracerboolconversionerror`). The message points at the ``jnp`` operation:
# with JAX |jax_version| it names the primitive ``log2`` and the line that called it.
#
# .. release-change:: example: examples/compilers/plot_static_versus_traced.py
def pairwise_sum_jnp(x):
    for _ in range(jnp.log2(x.size).astype(int)):
        x = x[::2] + x[1::2]
    return x[0]


try:
    jax.jit(pairwise_sum_jnp)(jnp.arange(8.0))
except jax.errors.TracerIntegerConversionError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:5]))
    assert "became a tracer due to JAX operations" in message, f"unexpected: {message}"
    call_line = pairwise_sum_jnp.__code__.co_firstlineno + 1  # the line calling jnp.log2
    assert " = log2 " in message, f"the log2 operation is not named: {message}"
    assert f":{call_line}:" in message, f"line {call_line} is not named: {message}"
else:
    raise AssertionError("range(jnp.log2(x.size)) no longer raises TracerIntegerConversionError")


# %%
# The same arithmetic with NumPy on ``x.size`` gives a Python integer, decided while
# tracing; the gradient of a sum is all ones.
def pairwise_sum_numpy(x):
    for _ in range(int(np.log2(x.size))):
        x = x[::2] + x[1::2]
    return x[0]


values = jnp.arange(8.0)
total, gradient = jax.jit(jax.value_and_grad(pairwise_sum_numpy))(values)
print(f"pairwise sum {total} (expected {float(values.sum())}), gradient {gradient}")
np.testing.assert_allclose(total, 28.0, err_msg="pairwise sum")
np.testing.assert_allclose(gradient, np.ones(8), err_msg="gradient of the pairwise sum")


# %%
# Through an outer ``jit``, a static argument arrives traced
# ----------------------------------------------------------
# ``model`` calls ``horner_static`` (static coefficients). Jitted itself without
# ``static_argnums``, ``model`` traces the tuple into a tuple of tracers, which the inner
# ``jit`` then fails to hash: the same ``ValueError``, now naming a tracer. Marking the
# argument static in the outer ``jit`` too passes the real tuple down.
def model(x, coefficients):
    return horner_static(x, coefficients)


try:
    jax.jit(model)(2.0, (1.0, -2.0, 3.0))
except ValueError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:2]))
    assert "DynamicJaxprTracer" in message, f"no tracer named: {message}"
else:
    raise AssertionError("jax.jit(model) no longer raises ValueError")

gradient = jax.grad(jax.jit(model, static_argnums=1))(2.0, (1.0, -2.0, 3.0))
print(f"static in both jits: d/dx at 2.0 = {gradient}   expected 2.0")
np.testing.assert_allclose(gradient, 2.0, rtol=1e-6, err_msg="outer static gradient")


# %%
# ``jax.checkpoint`` traces its arguments, even without ``jit``
# -------------------------------------------------------------
# ``jax.checkpoint`` (alias ``jax.remat``) traces the function it wraps, so a Python ``if``
# on a flag argument raises even in a plain call, with no ``jit`` and no ``grad``. The
# message suggests ``static_argnums``. Three fixes follow, each with the gradient of
# ``sin(x)**2``, ``2 sin(x) cos(x)``.
def block(x, square):
    return jnp.sin(x) ** 2 if square else jnp.sin(x)


try:
    jax.checkpoint(block)(1.0, True)
except jax.errors.TracerBoolConversionError as err:
    message = str(err).strip()
    hint = [line for line in message.splitlines() if line.startswith("Consider")]
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:2] + hint))
    assert "for checkpoint / remat" in message, f"unexpected message: {message}"
    assert "Consider using the `static_argnums`" in message, f"no hint: {message}"
else:
    raise AssertionError("jax.checkpoint(block)(1.0, True) no longer raises")

expected = 2 * np.sin(1.0) * np.cos(1.0)
for name, fixed in [
    ("static_argnums=(1,)", lambda x: jax.checkpoint(block, static_argnums=(1,))(x, True)),
    ("functools.partial", lambda x: jax.checkpoint(functools.partial(block, square=True))(x)),
    ("closure", lambda x: jax.checkpoint(lambda x: block(x, True))(x)),
]:
    gradient = jax.grad(fixed)(1.0)
    print(f"{name}: gradient {gradient}   expected {expected:.7f}")
    np.testing.assert_allclose(gradient, expected, rtol=1e-6, err_msg=name)


# %%
# Traced, a recursion through ``lax.cond`` never reaches its base case
# --------------------------------------------------------------------
# ``lax.cond`` traces *both* branches to build its program, even when the predicate is a
# Python ``bool`` (except under ``jax.disable_jit()``, where a concrete predicate runs only
# the selected branch: checked below). A recursive ``power`` whose base case is a
# ``lax.cond`` therefore traces the recursive branch at ``n = 0``, then at ``n = -1``, and
# so on until Python's recursion limit. To fail fast we lower that limit to 200 frames
# above the current depth for this one call (restored in ``finally``).
n_traced = []


def power_cond(x, n):
    n_traced.append(n)
    return lax.cond(n == 0, lambda: jnp.ones_like(x), lambda: x * power_cond(x, n - 1))


previous_limit = sys.getrecursionlimit()
sys.setrecursionlimit(len(inspect.stack(0)) + 200)
try:
    power_cond(1.5, 3)
except RecursionError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", message.splitlines()[0])
    assert "maximum recursion depth exceeded" in message, f"unexpected message: {message}"
else:
    raise AssertionError("power_cond(1.5, 3) no longer raises RecursionError")
finally:
    sys.setrecursionlimit(previous_limit)
print(f"{len(n_traced)} calls traced, n = {n_traced[:6]} ... {n_traced[-1]}")
assert n_traced[:5] == [3, 2, 1, 0, -1], f"traced n values {n_traced[:5]}"
assert all(type(n) is int for n in n_traced), f"n was not always a Python int: {n_traced}"

# %%
# Under ``jax.disable_jit()``, ``lax.cond`` on a concrete predicate (here ``n == 0`` on a
# Python ``int``) runs only the selected branch, and the same recursion stops at ``n = 0``.
n_traced.clear()
with jax.disable_jit():
    value = power_cond(1.5, 3)
print(f"under jax.disable_jit(): {value} (expected 3.375), n = {n_traced}")
assert n_traced == [3, 2, 1, 0], f"n values run under disable_jit: {n_traced}"
np.testing.assert_allclose(value, 3.375, rtol=1e-6, err_msg="disable_jit value")


# %%
# Two fixes: a static depth, or a loop
# ------------------------------------
# With ``n`` a Python integer, a Python ``if`` ends the recursion while tracing; static in
# ``jit``, each ``n`` is one compilation. ``lax.fori_loop`` takes a traced ``n`` instead: one
# compilation for every ``n``, differentiated here in forward mode (``jax.jacfwd``), since
# reverse mode needs a count known at trace time (:ref:`error-while-loop-reverse-mode`).
def power_static(x, n):
    if n == 0:
        return jnp.ones_like(x)
    return x * power_static(x, n - 1)


loop_traces = []


def power_loop(x, n):
    loop_traces.append(n)
    return lax.fori_loop(0, n, lambda i, y: y * x, jnp.ones_like(x))


grad_static = jax.jit(jax.grad(power_static), static_argnums=1)
jacfwd_loop = jax.jit(jax.jacfwd(power_loop))
for n in [0, 1, 3, 5]:
    expected = n * 1.5 ** (n - 1)
    static_value, loop_value = grad_static(1.5, n), jacfwd_loop(1.5, n)
    print(f"n = {n}: static {static_value:.4f}, fori_loop {loop_value:.4f}, n x^(n-1) {expected}")
    np.testing.assert_allclose(static_value, expected, rtol=1e-6, err_msg=f"static n={n}")
    np.testing.assert_allclose(loop_value, expected, rtol=1e-6, err_msg=f"fori_loop n={n}")
print(f"fori_loop traced {len(loop_traces)} time(s) for 4 values of n")
assert len(loop_traces) == 1, f"expected one trace, got {loop_traces}"


# %%
# PyTorch: eager recursion stops on the value
# -------------------------------------------
# PyTorch runs the ``if`` on the tensor's value, so the same recursion stops at ``n = 0`` and
# autograd records only the branch taken: one multiplication node per level.
def power_torch(x, n):
    if n == 0:
        return torch.ones_like(x)
    return x * power_torch(x, n - 1)


x = torch.tensor(1.5, requires_grad=True)
y = power_torch(x, torch.tensor(3))
(gradient,) = torch.autograd.grad(y, x)
node, multiplications = y.grad_fn, 0
while node is not None and node.name() == "MulBackward0":
    multiplications += 1
    node = node.next_functions[1][0]
print(f"{multiplications} MulBackward0 nodes, gradient {gradient.item()}   expected 6.75")
assert multiplications == 3, f"expected 3 multiplication nodes, got {multiplications}"
torch.testing.assert_close(gradient, torch.tensor(6.75), msg="PyTorch recursion gradient")
