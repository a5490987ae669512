"""
==========================================================================
JAX loops under ``jit``: unrolled, ``fori_loop``, ``while_loop``, ``scan``
==========================================================================

A Python ``for`` under ``jax.jit`` is unrolled while tracing, so the compiled program grows
with the trip count. The structured loops keep one copy of the body, but they do not all
support the same derivatives: ``lax.fori_loop`` with Python-int bounds and ``lax.scan``
support reverse mode, while ``lax.while_loop`` (and ``fori_loop`` with traced bounds) supports
forward mode only. You will see the jaxpr size, the gradients, and the real error messages.

The PyTorch section shows the eager counterpart: the tape, like the unrolled jaxpr, grows
with every iteration. The guide page :doc:`/guide/compilers` has the full table of
constructs and transforms.
"""

# %%
# A Python ``for`` under ``jit`` unrolls
# --------------------------------------
# Tracing runs the Python loop, so each iteration adds its operations to the jaxpr: ``n``
# iterations of ``sin`` give ``n`` equations. ``lax.fori_loop`` with the same ``n`` keeps a
# single body inside one ``scan`` equation, whatever ``n`` is.
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from jax import lax


def python_for(x, n):
    for _ in range(n):
        x = jnp.sin(x)
    return x


def fori(x, n):
    return lax.fori_loop(0, n, lambda i, x: jnp.sin(x), x)


def jaxpr_size(fn, n):  # number of equations in the jaxpr of x -> fn(x, n)
    return len(jax.make_jaxpr(lambda x: fn(x, n))(1.0).eqns)


ns = [1, 4, 16, 64]
size_for = [jaxpr_size(python_for, n) for n in ns]
size_fori = [jaxpr_size(fori, n) for n in ns]
for n, unrolled, structured in zip(ns, size_for, size_fori):
    print(f"n = {n:3d}: Python for -> {unrolled:3d} equations, fori_loop -> {structured}")
assert size_for == ns, f"unrolled sizes {size_for}, expected {ns}"
assert size_fori == [1] * len(ns), f"fori_loop sizes {size_fori}, expected one equation each"

fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot(ns, size_for, "o-", label="Python for (unrolled)")
ax.plot(ns, size_fori, "s-", label="lax.fori_loop")
ax.set_xlabel("trip count n")
ax.set_ylabel("equations in the jaxpr")
ax.set_title("Program size under jax.jit")
ax.legend()
plt.show()


# %%
# ``fori_loop`` with static bounds: reverse mode works
# ----------------------------------------------------
# When both bounds are Python ints, ``fori_loop`` is lowered to ``scan`` (visible in the
# jaxpr), and ``scan`` can be reverse-differentiated. Here the body multiplies by ``x`` three
# times, so the derivative of ``x**3`` at 2 is 12.
def power_fori(x, n):
    return lax.fori_loop(0, n, lambda i, y: y * x, 1.0)


def primitives(fn, *args):
    return sorted({str(eqn.primitive) for eqn in jax.make_jaxpr(fn)(*args).eqns})


static_primitives = primitives(lambda x: power_fori(x, 3), 2.0)
print("primitives with n = 3 (a Python int):", static_primitives)
assert static_primitives == ["scan"], f"static bounds: {static_primitives}"
grad_value = jax.jit(jax.grad(lambda x: power_fori(x, 3)))(2.0)
print(f"jit(grad) with static bounds: {grad_value}   expected 12.0")
np.testing.assert_allclose(grad_value, 12.0, rtol=1e-6, err_msg="jit(grad) with static bounds")

# %%
# ``fori_loop`` with traced bounds: forward mode only
# ---------------------------------------------------
# If ``n`` is an argument of the jitted function, it is a tracer, ``fori_loop`` becomes a
# ``while_loop``, and reverse mode raises. Forward mode (``jvp``, ``jacfwd``) still works,
# because it carries the tangent along with the loop instead of replaying it backwards.
traced_primitives = primitives(power_fori, 2.0, 3)
print("primitives with a traced n:", traced_primitives)
assert "while" in traced_primitives, f"traced bounds: {traced_primitives}"
assert "scan" not in traced_primitives, f"traced bounds: {traced_primitives}"
try:
    jax.jit(jax.grad(power_fori))(2.0, 3)
except ValueError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("grad of fori_loop with traced bounds no longer raises ValueError")
tangent = jax.jit(lambda x, n: jax.jvp(lambda x: power_fori(x, n), (x,), (1.0,))[1])(2.0, 3)
print(f"jit(jvp) with traced bounds: {tangent}   expected 12.0")
np.testing.assert_allclose(tangent, 12.0, rtol=1e-6, err_msg="jit(jvp) with traced bounds")


# %%
# ``lax.while_loop``: ``jvp`` and ``jacfwd`` work, ``grad`` and ``vjp`` raise
# ---------------------------------------------------------------------------
# A ``while_loop`` whose condition depends on the data (double ``y`` until it reaches 10) has
# a trip count nobody knows before running it. From 3 it doubles twice, so ``y = 4 x`` and the
# derivative is 4. ``jax.vjp`` itself returns; the error comes when its pullback is called.
def doubling(x):
    return lax.while_loop(lambda y: y < 10, lambda y: 2 * y, x)


tangent = jax.jvp(doubling, (3.0,), (1.0,))[1]
jacobian = jax.jacfwd(doubling)(3.0)
print(f"jvp: {tangent}, jacfwd: {jacobian}   expected 4.0")
np.testing.assert_allclose(tangent, 4.0, rtol=1e-6, err_msg="jvp of while_loop")
np.testing.assert_allclose(jacobian, 4.0, rtol=1e-6, err_msg="jacfwd of while_loop")
try:
    jax.grad(doubling)(3.0)
except ValueError as err:
    print(f"grad: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("jax.grad of lax.while_loop no longer raises ValueError")
y, pullback = jax.vjp(doubling, 3.0)
print(f"jax.vjp returned the value {y}   expected 12.0")
np.testing.assert_allclose(y, 12.0, rtol=1e-6, err_msg="value returned by jax.vjp")
try:
    pullback(1.0)
except ValueError as err:
    print(f"vjp pullback: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("the pullback of lax.while_loop no longer raises ValueError")


# %%
# ``lax.scan``, and a bounded loop written with it
# ------------------------------------------------
# ``scan`` runs a fixed number of steps and records what reverse mode needs, so ``grad`` works
# under ``jit``. A loop whose trip count ``n`` is only known at run time can be written as a
# ``scan`` over a maximum number of steps that leaves the carry unchanged once ``i >= n``.
def power_scan(x, n, max_steps=8):
    def step(y, i):
        return jnp.where(i < n, y * x, y), None

    return lax.scan(step, 1.0, jnp.arange(max_steps))[0]


for n in [3, 5]:
    grad_value = jax.jit(jax.grad(power_scan))(2.0, n)
    print(f"jit(grad(power_scan))(2.0, n={n}) = {grad_value}   expected {n * 2.0 ** (n - 1)}")
    np.testing.assert_allclose(
        grad_value, n * 2.0 ** (n - 1), rtol=1e-6, err_msg=f"power_scan, n={n}"
    )


# %%
# PyTorch: the tape is the unrolled loop
# --------------------------------------
# PyTorch has no traced loops in eager mode: every iteration that runs is recorded, like the
# unrolled jaxpr above, and reverse mode replays the ones that ran. So the data-dependent
# doubling loop, which ``lax.while_loop`` cannot reverse, has an ordinary gradient here.
def count_nodes(grad_fn):  # nodes of the autograd graph reachable from grad_fn
    seen, stack = set(), [grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(next_fn for next_fn, _ in node.next_functions)
    return len(seen)


for n in [1, 4, 16]:
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n):
        y = torch.sin(y)
    print(f"n = {n:2d}: {count_nodes(y.grad_fn)} autograd nodes")
    # n SinBackward0 nodes and the leaf's AccumulateGrad
    assert count_nodes(y.grad_fn) == n + 1, f"n = {n}: {count_nodes(y.grad_fn)} nodes"

x = torch.tensor(3.0, requires_grad=True)
y = x
while y < 10:
    y = 2 * y
(grad_value,) = torch.autograd.grad(y, x)
print(f"PyTorch grad of the doubling loop at 3.0: {grad_value.item()}   expected 4.0")
torch.testing.assert_close(grad_value, torch.tensor(4.0), msg="PyTorch doubling loop")
