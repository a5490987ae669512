"""
==================================================================
Loops that solve something: Newton's method and implicit gradients
==================================================================

Some loops *solve* something: Newton's method runs ``x <- (x + a / x) / 2`` until
``|x**2 - a|`` is below a tolerance and returns ``sqrt(a)``. Autodiff can differentiate such a
loop by unrolling it, but the gradient of a loosely converged loop is biased (a table and a
figure). The better way differentiates the *equation* the loop solves (implicit
differentiation): solve without recording, then apply the implicit function theorem at the
solution. For Newton's method one differentiable step does that; for an ordinary fixed-point
loop ``x = cos(a x)`` one step is wrong, and you will see the right recipe. In JAX,
``lax.custom_root`` packages the recipe and works under ``jax.jit(jax.grad(...))``.

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
import numpy as np
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
(grad_unrolled,) = torch.autograd.grad(x, a)
print(f"{steps} steps, unrolled gradient {grad_unrolled.item():.12f}, exact {EXACT:.12f}")
np.testing.assert_allclose(grad_unrolled.item(), EXACT, atol=1e-10, err_msg="tight Newton loop")


# %%
# A loose tolerance biases the unrolled gradient
# ----------------------------------------------
# The unrolled gradient is the derivative of the *last iterate*, not of ``sqrt(a)``. With a
# loose tolerance the loop stops early and the gradient is off, relatively more than the
# solution itself. The last column is the one-step implicit gradient explained in the next
# cell, computed from the same stopped solution: closer to the exact value on every row.
def implicit_torch(a, tol, x0=1.0):
    with torch.no_grad():  # solve without recording anything
        x, steps = newton_sqrt(a, tol, x0)
    return (x + a / x) / 2, steps  # one differentiable Newton step at the solution


tolerances = [5.0, 1.0, 1e-1, 1e-4, 1e-12]
solution_errors, unrolled_errors, implicit_errors = [], [], []
print("   tol  steps  solution err  unrolled grad err  implicit grad err")
for tol in tolerances:
    x, steps = newton_sqrt(a, tol)
    (grad_unrolled,) = torch.autograd.grad(x, a)
    (grad_implicit,) = torch.autograd.grad(implicit_torch(a, tol)[0], a)
    solution_errors.append(abs(x.item() - math.sqrt(A)))
    unrolled_errors.append(abs(grad_unrolled.item() - EXACT))
    implicit_errors.append(abs(grad_implicit.item() - EXACT))
    print(
        f"{tol:6.0e}  {steps:5d}  {solution_errors[-1]:12.2e}  "
        f"{unrolled_errors[-1]:17.2e}  {implicit_errors[-1]:17.2e}"
    )
assert unrolled_errors[0] > 1e-3, f"loose tolerance: gradient error {unrolled_errors[0]:.2e}"
assert unrolled_errors[-1] < 1e-12, f"tight tolerance: gradient error {unrolled_errors[-1]:.2e}"
relative_grad_error = unrolled_errors[0] / EXACT
relative_solution_error = solution_errors[0] / math.sqrt(A)
assert relative_grad_error > relative_solution_error, "gradient should be off relatively more"
for tol, implicit, unrolled in zip(tolerances, implicit_errors, unrolled_errors):
    assert implicit <= unrolled, f"tol {tol:g}: implicit error {implicit:.2e} > {unrolled:.2e}"

fig, ax = plt.subplots(figsize=(6.4, 4))
ax.loglog(tolerances, np.maximum(unrolled_errors, 1e-17), "o-", label="unrolled")
ax.loglog(tolerances, np.maximum(implicit_errors, 1e-17), "s-", label="implicit (one step)")
ax.set_xlabel("tolerance on |x² - a|")
ax.set_ylabel("|gradient - 1/(2√a)| (floored at 1e-17)")
ax.set_title(f"Gradient of Newton's sqrt({A:g}) in float64")
ax.invert_xaxis()
ax.legend()
plt.show()

# %%
# Why one Newton step at the solution is exact
# --------------------------------------------
# Solving under ``no_grad`` records nothing; one step ``N(x, a) = (x + a/x) / 2`` taken *with*
# autograd at the solution ``x*`` gives ``dN/da = 1/(2 x*)``. That is the whole derivative
# only because Newton's update has zero derivative with respect to ``x`` at the root, so the
# path "``a`` moves ``x*``, which moves ``N``" contributes nothing. The gradient depends on the
# solution, not on the path: three starting points, three step counts, one gradient.
x_star = torch.tensor(math.sqrt(A), dtype=torch.float64, requires_grad=True)
(dN_dx,) = torch.autograd.grad((x_star + a / x_star) / 2, x_star)
print(f"dN/dx at the root: {dN_dx.item():.1e}")
assert abs(dN_dx.item()) < 1e-12, f"Newton's update should be flat at the root, got {dN_dx}"
for x0 in [3.0, 1.0, 1000.0]:
    y, steps = implicit_torch(a, tol=1e-12, x0=x0)
    (grad_implicit,) = torch.autograd.grad(y, a)
    print(f"x0 = {x0:6g}: {steps:2d} steps, gradient {grad_implicit.item():.12f}")
    np.testing.assert_allclose(grad_implicit.item(), EXACT, atol=1e-10, err_msg=f"x0 = {x0}")


# %%
# An ordinary fixed-point loop: one step is wrong, the recipe is right
# --------------------------------------------------------------------
# The loop ``x <- T(x, a) = cos(a x)`` converges too, but ``dT/dx`` at its solution is not
# zero, so one differentiable step drops a factor. The implicit function theorem applied to
# ``x* = T(x*, a)`` gives ``dx*/da = (1 - dT/dx)^-1 dT/da``: both partial derivatives come
# from one ``autograd.grad`` call at the solution. The unrolled loop (converged) and the
# closed form ``-x sin(x) / (1 + sin(x))`` at ``a = 1`` agree with the recipe.
a = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
x = torch.zeros((), dtype=torch.float64)
for _ in range(200):  # recorded: the unrolled reference
    x = torch.cos(a * x)
(unrolled,) = torch.autograd.grad(x, a)
x_star = x.detach().requires_grad_(True)  # the solution, cut from the loop's history
(one_step,) = torch.autograd.grad(torch.cos(a * x_star), a)
dT_dx, dT_da = torch.autograd.grad(torch.cos(a * x_star), (x_star, a))
implicit = (dT_da / (1 - dT_dx)).item()
closed_form = -x_star.item() * math.sin(x_star.item()) / (1 + math.sin(x_star.item()))
print(f"x* = {x_star.item():.6f}, dT/dx = {dT_dx.item():.4f}")
print(f"one step {one_step.item():.4f}, implicit {implicit:.4f}, unrolled {unrolled.item():.4f}")
np.testing.assert_allclose(implicit, closed_form, rtol=1e-12, err_msg="implicit recipe")
np.testing.assert_allclose(unrolled.item(), closed_form, rtol=1e-12, err_msg="unrolled loop")
assert abs(one_step.item() - closed_form) > 0.1, f"one step {one_step.item():.4f} should be off"


# %%
# JAX: ``lax.custom_root`` packages the recipe, under ``jit``
# -----------------------------------------------------------
# A ``lax.while_loop`` solver cannot be reverse-differentiated
# (:doc:`/auto_examples/compilers/plot_jax_loops` shows the error), but
# ``lax.custom_root(f, x0, solve, tangent_solve)`` never differentiates ``solve``: it finds
# ``f(x) = 0`` and defines the derivative by the implicit function theorem, so a
# ``while_loop`` solver works under ``jax.jit(jax.grad(...))``, for both loops (float32 here).
def root_implicit(f, x0):
    def solve(f, x):  # Newton's method in a while_loop
        def newton_step(x):
            return x - f(x) / jax.grad(f)(x)

        return jax.lax.while_loop(lambda x: jnp.abs(f(x)) > 1e-6, newton_step, x)

    def tangent_solve(g, y):  # scalar case: divide by the derivative g(1.0)
        return y / g(1.0)

    return jax.lax.custom_root(f, x0, solve, tangent_solve)


def sqrt_implicit(a):
    return root_implicit(lambda x: x * x - a, jnp.ones_like(a))


def cos_fixed_point(a):
    return root_implicit(lambda x: jnp.cos(a * x) - x, jnp.zeros_like(a))


grad_sqrt = jax.jit(jax.grad(sqrt_implicit))(A)
print(f"sqrt: jit(grad(custom_root)) {grad_sqrt:.8f}, exact {EXACT:.8f}")
np.testing.assert_allclose(grad_sqrt, EXACT, atol=1e-6, err_msg="jit(grad(custom_root)) sqrt")

x_star_jax = cos_fixed_point(1.0)
dT_dx_jax, dT_da_jax = jax.grad(lambda x, a: jnp.cos(a * x), argnums=(0, 1))(x_star_jax, 1.0)
recipe_jax = dT_da_jax / (1 - dT_dx_jax)
grad_root = jax.jit(jax.grad(cos_fixed_point))(1.0)
print(f"cos(a x): one step {dT_da_jax:.4f}, recipe {recipe_jax:.4f}, custom_root {grad_root:.4f}")
np.testing.assert_allclose(dT_da_jax, one_step.item(), rtol=1e-5, err_msg="JAX one step")
np.testing.assert_allclose(recipe_jax, closed_form, rtol=1e-5, err_msg="JAX implicit recipe")
np.testing.assert_allclose(grad_root, closed_form, rtol=1e-5, err_msg="custom_root cos")
