"""
===============================
``jax.jit`` and Python branches
===============================

``jax.grad`` alone runs your Python with concrete numbers, so an ``if`` on an array works
and the gradient follows the branch that ran. ``jax.jit`` traces the function with abstract
values instead: the ``if`` has nothing to test, and JAX raises. Below you will see that error,
then the four ways out and what each costs: static arguments (one compilation per distinct
value, counted), ``jnp.where`` / ``lax.select`` (both sides computed), ``lax.cond`` and
``lax.switch`` (one branch chosen at run time). Every gradient is checked against calculus.

The PyTorch section shows the eager counterpart. The guide page :doc:`/guide/compilers`
puts these examples in order.
"""

# %%
# The function, differentiated eagerly
# ------------------------------------
# ``branchy`` squares positive inputs and negates the others. Without ``jit``, ``jax.grad``
# compares a concrete number with 0, so the gradient is ``2 x`` on one side and ``-1`` on
# the other.
import jax
import jax.numpy as jnp
import numpy as np
import torch
from jax import lax


def branchy(x):
    if x > 0:
        return x**2
    return -x


for x0, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    grad_value = jax.grad(branchy)(x0)
    print(f"eager jax.grad(branchy)({x0}) = {grad_value}   expected {expected}")
    np.testing.assert_allclose(grad_value, expected, rtol=1e-6, err_msg=f"eager jax.grad at {x0}")

# %%
# ``jax.jit`` refuses the Python ``if``
# -------------------------------------
# Under ``jit``, ``x`` is a tracer with a shape and a dtype but no value, so ``x > 0`` has no
# truth value. The error names the argument the condition depends on. This is the site's one
# demonstration of this error; the other pages link here. (An ``if`` on a *shape* is fine
# under ``jit``: :doc:`/auto_examples/compilers/plot_branch_on_shape_or_value`.)
try:
    jax.jit(branchy)(2.0)
except jax.errors.TracerBoolConversionError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:2]))
    assert "argument x" in message, f"the message no longer names the argument: {message}"
else:
    raise AssertionError("jax.jit(branchy)(2.0) no longer raises TracerBoolConversionError")

# %%
# Fix 1: a static argument, one compilation per value
# ---------------------------------------------------
# Pass the decision as a Python value marked static: JAX then compiles one version of the
# function per distinct value. The counter below increments only while JAX traces, so it
# counts compilations; ``_cache_size()`` (a private helper of jitted functions) agrees.
traces = []


def branchy_flag(x, positive):
    traces.append(positive)  # a Python side effect: runs at trace time only
    return x**2 if positive else -x


jit_flag = jax.jit(branchy_flag, static_argnames="positive")
for x0 in [2.0, -1.0, 3.0, -4.0, 5.0, -6.0]:
    y = jit_flag(x0, positive=x0 > 0)
    np.testing.assert_allclose(y, x0**2 if x0 > 0 else -x0, rtol=1e-6, err_msg=f"at {x0}")
print(f"6 calls, {len(traces)} traces, cache size {jit_flag._cache_size()}   expected 2")
assert len(traces) == 2, f"expected 2 traces, got {len(traces)}"
assert jit_flag._cache_size() == 2, f"expected 2 cached programs, got {jit_flag._cache_size()}"

grad_value = jax.grad(lambda x: jit_flag(x, positive=True))(2.0)
print(f"gradient with positive=True at 2.0: {grad_value}   expected 4.0")
np.testing.assert_allclose(grad_value, 4.0, rtol=1e-6, err_msg="gradient with positive=True")

# %%
# Making ``x`` itself static is the same fix pushed too far: every new value of ``x`` is a
# new compilation.
traces_x = []


def branchy_counted(x):
    traces_x.append(x)
    return branchy(x)


jit_x = jax.jit(branchy_counted, static_argnums=0)
for x0 in [1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0]:
    jit_x(x0)
print(f"7 calls, 5 distinct x -> {len(traces_x)} traces, cache size {jit_x._cache_size()}")
assert len(traces_x) == 5, f"expected 5 traces, got {len(traces_x)}"
assert jit_x._cache_size() == 5, f"expected 5 cached programs, got {jit_x._cache_size()}"


# %%
# Fix 2: ``jnp.where`` and ``lax.select`` compute both sides
# ----------------------------------------------------------
# ``jnp.where(c, a, b)`` is an element-wise choice between two arrays that have *both* been
# computed: the jaxpr holds the square (``integer_pow``), the negation (``neg``) and the
# choice (``select_n``). The gradient still follows the chosen side.
def where_version(x):
    return jnp.where(x > 0, x**2, -x)


def select_version(x):
    return lax.select(x > 0, x**2, -x)


primitives = {str(eqn.primitive) for eqn in jax.make_jaxpr(select_version)(1.0).eqns}
print("primitives in the jaxpr of lax.select:", sorted(primitives))
for primitive in ["integer_pow", "neg", "select_n"]:
    assert primitive in primitives, f"{primitive} missing from {sorted(primitives)}"
for fn in [where_version, select_version]:
    for x0, expected in [(2.0, 4.0), (-1.0, -1.0)]:
        grad_value = jax.jit(jax.grad(fn))(x0)
        print(f"jit(grad({fn.__name__}))({x0}) = {grad_value}   expected {expected}")
        np.testing.assert_allclose(
            grad_value, expected, rtol=1e-6, err_msg=f"{fn.__name__} at {x0}"
        )


# %%
# Fix 3: ``lax.cond`` keeps two branches, runs one
# ------------------------------------------------
# ``lax.cond`` stores both branches in the compiled program as sub-jaxprs and picks one at
# run time, so (for an unbatched predicate) only the chosen side is computed. Both branches
# must return the same shape and dtype.
def cond_version(x):
    return lax.cond(x > 0, lambda x: x**2, lambda x: -x, x)


print(jax.make_jaxpr(cond_version)(1.0))
for x0, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    grad_value = jax.jit(jax.grad(cond_version))(x0)
    print(f"jit(grad(cond_version))({x0}) = {grad_value}   expected {expected}")
    np.testing.assert_allclose(grad_value, expected, rtol=1e-6, err_msg=f"cond_version at {x0}")


# %%
# Fix 4: ``lax.switch`` for more than two branches
# ------------------------------------------------
# ``lax.switch`` takes an integer index (clamped into range) and a list of branches. Here the
# index is ``floor(x)`` clipped to 0..2, picking ``-x``, ``x**2`` or ``x**3``.
def switch_version(x):
    index = jnp.clip(jnp.floor(x), 0, 2).astype(int)
    return lax.switch(index, [lambda x: -x, lambda x: x**2, lambda x: x**3], x)


for x0, expected in [(-1.0, -1.0), (1.5, 3.0), (2.5, 3 * 2.5**2)]:
    grad_value = jax.jit(jax.grad(switch_version))(x0)
    print(f"jit(grad(switch_version))({x0}) = {grad_value}   expected {expected}")
    np.testing.assert_allclose(grad_value, expected, rtol=1e-6, err_msg=f"switch_version at {x0}")

# %%
# PyTorch: eager autograd follows the branch
# ------------------------------------------
# PyTorch autograd is eager, so the same ``branchy`` differentiates on both sides with no
# change, and ``torch.where`` is the both-sides form. Its compiler does not raise on the
# ``if``: it splits the graph, as :doc:`/auto_examples/compilers/plot_torch_compile_branches`
# shows.
for x0, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    x = torch.tensor(x0, requires_grad=True)
    (g_if,) = torch.autograd.grad(branchy(x), x)
    (g_where,) = torch.autograd.grad(torch.where(x > 0, x**2, -x), x)
    print(f"x = {x0}: if -> {g_if.item()}, torch.where -> {g_where.item()}   expected {expected}")
    torch.testing.assert_close(g_if, torch.tensor(expected), msg=f"if at {x0}")
    torch.testing.assert_close(g_where, torch.tensor(expected), msg=f"torch.where at {x0}")
