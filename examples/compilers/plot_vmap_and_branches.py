"""
============================================
``vmap`` and branches: both sides always run
============================================

``jax.vmap`` runs a function on a whole batch at once, so a branch can no longer be chosen
per element by Python: a plain ``if`` fails, and ``lax.cond`` with a batched predicate is
rewritten into a ``select`` that computes *both* branches for every element. You will see that
in the jaxpr, in a debug print that fires in both branches, in the compiled cost, and in the
NaNs that the branch not taken can produce. The last JAX cell shows that recursion is fine
under ``jit`` when its depth is static.

The PyTorch section shows ``torch.func.vmap`` doing the same rewrite of ``torch.cond``. The
guide page :doc:`/guide/compilers` puts these examples in order.
"""

# %%
# ``vmap`` over a Python ``if`` fails
# -----------------------------------
# Inside ``vmap``, ``x`` stands for a whole batch, so ``x > 0`` is a batch of booleans that
# Python cannot turn into one ``True`` or ``False``.
import contextlib
import io

import jax
import jax.numpy as jnp
import numpy as np
import torch
from jax import lax

xs = jnp.array([4.0, -1.0])


def python_if(x):
    return jnp.sqrt(x) if x > 0 else -x


try:
    jax.vmap(python_if)(xs)
except jax.errors.TracerBoolConversionError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("jax.vmap(python_if) no longer raises TracerBoolConversionError")


# %%
# ``vmap(lax.cond)`` becomes a ``select``
# ---------------------------------------
# With a batched predicate, the ``cond`` primitive disappears: the jaxpr computes ``neg`` and
# ``sqrt`` on the whole batch and picks element-wise with ``select_n``. With an unbatched
# predicate (``in_axes=None`` for the flag) the ``cond`` survives and only one branch runs.
def cond_version(x):
    return lax.cond(x > 0, jnp.sqrt, lambda x: -x, x)


batched = jax.make_jaxpr(jax.vmap(cond_version))(xs)
print(batched)
batched_primitives = sorted({str(eqn.primitive) for eqn in batched.eqns})
print("batched predicate:", batched_primitives)
for primitive in ["select_n", "sqrt", "neg", "stop_gradient"]:
    assert primitive in batched_primitives, f"{primitive} missing: {batched_primitives}"
assert "cond" not in batched_primitives, f"batched predicate kept a cond: {batched_primitives}"

shared = jax.vmap(lambda x, flag: lax.cond(flag > 0, jnp.sqrt, lambda x: -x, x), in_axes=(0, None))
shared_primitives = sorted({str(eqn.primitive) for eqn in jax.make_jaxpr(shared)(xs, 1.0).eqns})
print("unbatched predicate:", shared_primitives)
assert "cond" in shared_primitives, f"unbatched predicate lost its cond: {shared_primitives}"
assert "select_n" not in shared_primitives, f"unbatched predicate: {shared_primitives}"

values = jax.vmap(cond_version)(xs)
print("vmap(cond_version)([4, -1]) =", values, "  expected [2. 1.]")
np.testing.assert_allclose(values, [2.0, 1.0], rtol=1e-6, err_msg="vmap(cond_version)")


# %%
# A debug print fires in both branches
# ------------------------------------
# ``jax.debug.print`` inside each branch reports what actually runs: both branches, on both
# elements, including ``sqrt(-1) = nan`` for the element that takes the other branch. We
# capture the printed lines to assert on them.
def noisy(x):
    def root(x):
        jax.debug.print("sqrt branch: x = {x}, sqrt(x) = {y}", x=x, y=jnp.sqrt(x))
        return jnp.sqrt(x)

    def negate(x):
        jax.debug.print("negate branch: x = {x}", x=x)
        return -x

    return lax.cond(x > 0, root, negate, x)


buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    jax.vmap(noisy)(xs)
    jax.effects_barrier()
lines = sorted(buffer.getvalue().splitlines())
print("\n".join(lines))
assert len(lines) == 4, f"expected both branches on both elements (4 lines), got {lines}"
assert "sqrt branch: x = -1.0, sqrt(x) = nan" in lines, f"sqrt branch did not run on -1: {lines}"


# %%
# Cost: the sum of both branches
# ------------------------------
# XLA's own cost estimate of the compiled program makes the price visible without timing
# anything: the batched ``cond`` costs about as many floating-point operations as the
# expensive branch *plus* the cheap one. Every element pays for both branches.
def expensive(v):
    matrix = jnp.outer(v, v)
    for _ in range(4):
        matrix = matrix @ matrix / 64
    return matrix.sum()


def flops(fn, arg):
    return jax.jit(fn).lower(arg).compile().cost_analysis()["flops"]


batch = jnp.ones((8, 64))
flops_expensive = flops(jax.vmap(expensive), batch)
flops_cheap = flops(jax.vmap(jnp.sum), batch)
flops_cond = flops(jax.vmap(lambda v: lax.cond(v[0] > 0, expensive, jnp.sum, v)), batch)
flops_both = flops_expensive + flops_cheap
print(f"expensive {flops_expensive:.0f} + cheap {flops_cheap:.0f} = {flops_both:.0f} flops")
print(f"batched cond: {flops_cond:.0f} flops")
np.testing.assert_allclose(flops_cond, flops_both, rtol=0.01, err_msg="batched cond flops")


# %%
# NaNs: ``jnp.where`` leaks them, ``vmap(cond)`` guards against them
# ------------------------------------------------------------------
# The gradient of ``sqrt`` at -1 is NaN. ``jnp.where`` multiplies it by a zero cotangent, and
# ``0 * nan`` is NaN. In JAX |jax_version|, ``vmap(cond)`` passes each branch an operand wrapped in
# ``stop_gradient`` for the elements that do not take it (see ``stop_gradient`` in the jaxpr
# above), so its gradient stays finite. For ``jnp.where``, the fix is the "double where":
# make the unused input harmless before the ``sqrt``.
def per_example_grad(fn):
    return jax.jit(jax.vmap(jax.grad(fn)))(xs)


grad_cond = per_example_grad(cond_version)
grad_where = per_example_grad(lambda x: jnp.where(x > 0, jnp.sqrt(x), -x))
grad_safe = per_example_grad(lambda x: jnp.where(x > 0, jnp.sqrt(jnp.where(x > 0, x, 1.0)), -x))
print("vmap(grad(cond)):", grad_cond, " jnp.where:", grad_where, " double where:", grad_safe)
print("expected [0.25, -1.0] (the derivatives of sqrt at 4 and of -x)")
np.testing.assert_allclose(grad_cond, [0.25, -1.0], rtol=1e-6, err_msg="vmap(grad(cond))")
assert jnp.isnan(grad_where[1]), f"jnp.where no longer leaks NaN: {grad_where}"
np.testing.assert_allclose(grad_safe, [0.25, -1.0], rtol=1e-6, err_msg="double where")


# %%
# Recursion under ``jit`` with a static depth
# -------------------------------------------
# Python recursion is traced like any Python code: if the depth depends only on a static
# argument, the recursion unrolls at trace time. Power by repeated squaring recurses about
# ``log2(n)`` levels deep and differentiates under ``jit``. With ``n`` traced, ``n == 0`` is an
# ``if`` on a traced value and raises, as in
# :doc:`/auto_examples/compilers/plot_jit_and_python_branches`.
def power(x, n):
    if n == 0:
        return 1.0
    half = power(x, n // 2)
    return half * half * (x if n % 2 else 1.0)


grad_value = jax.jit(jax.grad(power), static_argnums=1)(1.5, 10)
print(f"d/dx x**10 at 1.5 = {grad_value:.4f}   expected {10 * 1.5**9:.4f}")
np.testing.assert_allclose(grad_value, 10 * 1.5**9, rtol=1e-6, err_msg="jit(grad(power)), static n")

# %%
# PyTorch: ``torch.func.vmap`` turns ``torch.cond`` into ``torch.where``
# -----------------------------------------------------------------------
# ``torch.func.vmap`` makes the same rewrite: a batched predicate in ``torch.cond`` becomes an
# element-wise ``where`` (the result's ``grad_fn`` is ``WhereBackward0``). Unlike JAX it adds
# no ``stop_gradient`` guard, so the NaN of the branch not taken reaches the gradient.
x = torch.tensor([4.0, -1.0], requires_grad=True)
y = torch.func.vmap(lambda v: torch.cond(v > 0, torch.sqrt, torch.neg, (v,)))(x)
y.sum().backward()
print("values:", y.detach(), " grad_fn:", type(y.grad_fn).__name__, " grad:", x.grad)
torch.testing.assert_close(y.detach(), torch.tensor([2.0, 1.0]), msg="vmap(torch.cond) values")
assert type(y.grad_fn).__name__ == "WhereBackward0", f"grad_fn {type(y.grad_fn).__name__}"
torch.testing.assert_close(x.grad[0], torch.tensor(0.25), msg="gradient of sqrt at 4")
assert torch.isnan(x.grad[1]), f"the untaken branch no longer leaks NaN: {x.grad}"
