"""
==================================================================
Loops that solve something: Newton's method and implicit gradients
==================================================================

Some loops *solve* something: Newton's method runs ``x <- (x + a / x) / 2`` until
``|x**2 - a|`` is below a tolerance, and returns ``sqrt(a)``. Autodiff can differentiate
such a loop by unrolling it, and you will see that this works, but that the gradient of a
loosely converged loop is biased (a table and a figure of tolerance against gradient error).
Then the better way: differentiate the *equation* ``x**2 = a`` instead of the iterations
(implicit differentiation). Its gradient equals ``1 / (2 sqrt(a))`` whatever path the solver
took, and in JAX it works under ``jax.jit(jax.grad(...))``, where reverse mode through
``lax.while_loop`` raises.

The guide page :doc:`/guide/compilers` puts these examples in order.
"""

# %%
# Newton's method in a ``while`` loop, differentiated by unrolling
# ----------------------------------------------------------------
# In PyTorch (float64 here) autograd records every iteration that ran, so the loop has an
# ordinary gradient. At a tight tolerance it matches the exact derivative
# ``d sqrt(a) / da = 1 / (2 sqrt(a))``.
import math

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import torch

A = 10.0
EXACT = 1 / (2 * math.sqrt(A))


def newton_sqrt(a, tol, x0=1.0):
    x, steps = torch.full_like(a, x0), 0
    while abs(x * x - a) > tol:
        x = (x + a / x) / 2
        steps += 1
    return x, steps


a = torch.tensor(A, dtype=torch.float64, requires_grad=True)
x, steps = newton_sqrt(a, tol=1e-12)
(g,) = torch.autograd.grad(x, a)
print(f"{steps} steps, unrolled gradient {g.item():.12f}, exact {EXACT:.12f}")
assert abs(g.item() - EXACT) < 1e-10


# %%
# A loose tolerance biases the unrolled gradient
# ----------------------------------------------
# The unrolled gradient is the derivative of the *last iterate*, not of ``sqrt(a)``. With a
# loose tolerance the loop stops early and the gradient is off; relative to its size, the
# gradient error is larger than the error of the solution itself. The last column is the
# implicit gradient introduced below, computed from the same stopped solution: it is only as
# good as that solution, but closer to the exact value than the unrolled one on every row.
def implicit_torch(a, tol, x0=1.0):
    with torch.no_grad():  # solve without recording anything
        x, steps = newton_sqrt(a, tol, x0)
    return (x + a / x) / 2, steps  # one differentiable Newton step at the solution


tols = [5.0, 1.0, 1e-1, 1e-4, 1e-12]
rows = []
print("   tol  steps  solution err  unrolled grad err  implicit grad err")
for tol in tols:
    x, steps = newton_sqrt(a, tol)
    (g_unrolled,) = torch.autograd.grad(x, a)
    (g_implicit,) = torch.autograd.grad(implicit_torch(a, tol)[0], a)
    row = [abs(x.item() - math.sqrt(A)), abs(g_unrolled.item() - EXACT)]
    row.append(abs(g_implicit.item() - EXACT))
    rows.append(row)
    print(f"{tol:6.0e}  {steps:5d}  {row[0]:12.2e}  {row[1]:17.2e}  {row[2]:17.2e}")
assert rows[0][1] > 1e-3 and rows[-1][1] < 1e-12  # biased when loose, exact when tight
assert rows[0][1] / EXACT > rows[0][0] / math.sqrt(A)  # relative gradient error > solution's
assert all(r[2] <= r[1] for r in rows)

fig, ax = plt.subplots(figsize=(6.4, 4))
ax.loglog(tols, [max(r[1], 1e-17) for r in rows], "o-", label="unrolled")
ax.loglog(tols, [max(r[2], 1e-17) for r in rows], "s-", label="implicit (one step)")
ax.set_xlabel("tolerance on |x² - a|")
ax.set_ylabel("|gradient - 1/(2√a)| (floored at 1e-17)")
ax.set_title(f"Gradient of Newton's sqrt({A:g}) in float64")
ax.invert_xaxis()
ax.legend()

# %%
# Implicit differentiation in PyTorch: solve, then one step
# ---------------------------------------------------------
# Solving under ``no_grad`` records nothing; one Newton step taken *with* autograd from the
# solution ``x*`` gives ``d/da (x* + a/x*)/2 = 1/(2 x*)``, which is the exact derivative at
# ``x* = sqrt(a)``. Different starting points take different numbers of steps and give the
# same gradient: it depends on the solution, not on the path.
for x0 in [3.0, 1.0, 1000.0]:
    y, steps = implicit_torch(a, tol=1e-12, x0=x0)
    (g,) = torch.autograd.grad(y, a)
    print(f"x0 = {x0:6g}: {steps:2d} steps, gradient {g.item():.12f}, exact {EXACT:.12f}")
    assert abs(g.item() - EXACT) < 1e-6


# %%
# JAX: unrolling works eagerly, ``lax.while_loop`` refuses reverse mode
# ---------------------------------------------------------------------
# Eager ``jax.grad`` runs the Python ``while`` on concrete values, like PyTorch (float32 here,
# so the tolerance is looser). Written with ``lax.while_loop`` so that it can be jitted, the
# same solver cannot be reverse-differentiated.
def newton_python(a, tol=1e-5):
    x = jnp.ones_like(a)
    while abs(x * x - a) > tol:
        x = (x + a / x) / 2
    return x


def newton_lax(a, tol=1e-5):
    def step(x):
        return (x + a / x) / 2

    return jax.lax.while_loop(lambda x: jnp.abs(x * x - a) > tol, step, jnp.ones_like(a))


g = jax.grad(newton_python)(A)
print(f"eager jax.grad, Python while: {g:.8f}, exact {EXACT:.8f}")
assert abs(g - EXACT) < 1e-6
try:
    jax.jit(jax.grad(newton_lax))(A)
except Exception as err:
    print(type(err).__name__, "-", str(err)[:300])
    assert isinstance(err, ValueError)
else:
    raise AssertionError("the code above was expected to raise")


# %%
# JAX: implicit differentiation with ``lax.custom_root``
# ------------------------------------------------------
# ``lax.custom_root(f, x0, solve, tangent_solve)`` runs ``solve`` to find ``f(x) = 0`` and
# defines the derivative by the implicit function theorem, ``dx/da = -(df/da) / (df/dx)``,
# without differentiating ``solve``. So the ``while_loop`` solver now works under
# ``jax.jit(jax.grad(...))``.
def sqrt_implicit(a):
    def f(x):
        return x * x - a

    def solve(f, x0):  # Newton's method, in a while_loop
        return jax.lax.while_loop(lambda x: jnp.abs(f(x)) > 1e-5, lambda x: x - f(x) / (2 * x), x0)

    def tangent_solve(g, y):  # scalar case: divide by the derivative g(1.0)
        return y / g(1.0)

    return jax.lax.custom_root(f, jnp.ones_like(a), solve, tangent_solve)


g = jax.jit(jax.grad(sqrt_implicit))(A)
print(f"jit(grad(custom_root)): {g:.8f}, exact {EXACT:.8f}, error {abs(g - EXACT):.1e}")
assert abs(g - EXACT) < 1e-6
