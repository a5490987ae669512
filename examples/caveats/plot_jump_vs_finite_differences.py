"""
================================================
Jumps are invisible to automatic differentiation
================================================

A Python ``if`` can make a function jump. Automatic differentiation follows only the
operations that ran, so it reports the derivative of the branch that was taken and never sees
the jump; central finite differences straddle it and grow like ``jump / (2 h)``. The practical
consequence: a threshold inside a hard comparison receives no gradient, so gradient descent
cannot move it, while a smoothed threshold is learned. The rules of thumb are collected in
:doc:`/guide/best_practices`.
"""

# %%
# A function with a jump, in PyTorch
# ----------------------------------
# ``f(x) = x**2`` for ``x < 1`` and ``3 * x`` otherwise: the value jumps from 1 to 3 at
# ``x = 1``. Exactly at the boundary the ``else`` branch runs, so autodiff returns 3; just
# below it, it returns ``2 x``. Neither number says anything about the jump of size 2.
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch


def f(x):
    if x < 1.0:
        return x**2
    return 3.0 * x


def autodiff_slope(x0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    f(x).backward()
    return x.grad.item()


JUMP = 2.0
for x0, slope in [(1.0, 3.0), (1.0 - 1e-9, 2.0 * (1.0 - 1e-9))]:
    print(f"x = {x0:.10f}: f = {f(x0):.9f}, autodiff f' = {autodiff_slope(x0):.9f}")
    np.testing.assert_allclose(autodiff_slope(x0), slope, rtol=1e-12, err_msg=f"f' at {x0}")
np.testing.assert_allclose(f(1.0) - f(1.0 - 1e-9), JUMP, atol=1e-8, err_msg="size of the jump")

# %%
# Finite differences blow up at the boundary
# ------------------------------------------
# The central difference ``(f(1 + h) - f(1 - h)) / (2 h)`` straddles the jump. Here it equals
# ``JUMP / (2 h) + 2.5 - h / 2``: it grows tenfold each time ``h`` shrinks tenfold, while
# autodiff stays at 3.
print(f"{'h':>8} {'finite diff':>14} {'closed form':>14} {'autodiff':>9}")
for h in [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]:
    finite_diff = (f(1.0 + h) - f(1.0 - h)) / (2 * h)
    closed_form = JUMP / (2 * h) + 2.5 - h / 2
    print(f"{h:8.0e} {finite_diff:14.6f} {closed_form:14.6f} {autodiff_slope(1.0):9.3f}")
    np.testing.assert_allclose(finite_diff, closed_form, rtol=1e-6, err_msg=f"h = {h}")

# %%
# Picture: the function, autodiff and finite differences
# ------------------------------------------------------
# Autodiff (black) is the slope of whichever piece the point lies on. Each finite-difference
# curve agrees with it away from the boundary and spikes to about ``JUMP / (2 h)`` within
# ``h`` of it (the plot is clipped at 40).
grid = np.linspace(0.0, 2.0, 401)
autodiff = [autodiff_slope(point) for point in grid]
fig, (ax_value, ax_slope) = plt.subplots(2, 1, figsize=(6.4, 5.5), sharex=True)
ax_value.plot(grid, [f(point) for point in grid], ".", ms=2, color="k")
ax_value.set(ylabel="f(x)", title="f jumps by 2 at x = 1")
ax_slope.plot(grid, autodiff, color="k", lw=2, label="autodiff")
for h in [0.1, 0.03, 0.01]:
    central = [(f(point + h) - f(point - h)) / (2 * h) for point in grid]
    ax_slope.plot(grid, central, lw=1, label=f"central FD, h = {h}")
ax_slope.set(xlabel="x", ylabel="derivative estimate", ylim=(0, 40))
ax_slope.legend()
fig.tight_layout()


# %%
# JAX: ``jnp.where`` differentiates both branches
# -----------------------------------------------
# ``jax.grad`` (without ``jax.jit``) runs the Python ``if`` on the concrete value, so it
# gives PyTorch's numbers. ``jnp.where`` gives them too, but not by differentiating only the
# selected branch: both branches are computed and differentiated, the selected one receives
# the incoming gradient and the other a zero. Zero times a finite local derivative vanishes;
# zero times an infinite one is NaN, which is how ``where(x > 0, sqrt(x), 0)`` has a NaN
# gradient at 0 (:doc:`/auto_examples/caveats/plot_nan_from_untaken_branch`).
def f_where(x):
    return jnp.where(x < 1.0, x**2, 3.0 * x)


for x0 in [1.0, 0.999999]:
    grad_if, grad_where = float(jax.grad(f)(x0)), float(jax.grad(f_where)(x0))
    print(f"x = {x0}: grad(if) = {grad_if:.6f}, grad(where) = {grad_where:.6f}")
    np.testing.assert_allclose(
        [grad_if, grad_where], autodiff_slope(x0), rtol=1e-6, err_msg=str(x0)
    )
where_cotangents = jax.grad(lambda low, high: jnp.where(True, low, high), argnums=(0, 1))
to_each_branch = where_cotangents(0.25, 1.5)  # like x = 0.5: x**2 selected, 3 * x not
print("gradient sent to (selected, unselected) branch:", [float(g) for g in to_each_branch])
np.testing.assert_array_equal(to_each_branch, [1.0, 0.0], err_msg="where's two cotangents")
sqrt_slope_at_zero = float(jax.grad(jnp.sqrt)(0.0))
nan_at_zero = float(jax.grad(lambda x: jnp.where(x > 0, jnp.sqrt(x), 0.0))(0.0))
print(f"grad of where(x > 0, sqrt(x), 0) at 0: 0 * {sqrt_slope_at_zero} = {nan_at_zero}")
assert np.isinf(sqrt_slope_at_zero), f"sqrt'(0) = {sqrt_slope_at_zero}, expected inf"
assert np.isnan(nan_at_zero), f"expected nan from the unselected sqrt, got {nan_at_zero}"

# %%
# A hard threshold cannot be learned (PyTorch)
# --------------------------------------------
# Fit the threshold ``t`` of a step ``1[x > t]`` to labels made with ``t = 0.6``. Written
# with a comparison, the prediction has no ``grad_fn`` and ``backward`` raises. Written with
# ``torch.sign`` it is differentiable, but the derivative of ``sign`` is 0, so ``t`` never
# moves. A sigmoid with temperature ``TAU`` gives ``t`` a real gradient.
rng = np.random.default_rng(0)
x_data = np.sort(rng.uniform(0.0, 1.0, 200)).astype(np.float32)
labels = (x_data > 0.6).astype(np.float32)
x_torch, labels_torch = torch.from_numpy(x_data), torch.from_numpy(labels)
try:
    ((x_torch > torch.tensor(0.2, requires_grad=True)).float() - labels_torch).sum().backward()
except RuntimeError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("backward through a comparison no longer raises RuntimeError")
TAU, LEARNING_RATE, STEPS = 0.05, 0.05, 100


def descend(gradient_of, t=0.2):
    """Plain gradient descent on the threshold; returns the path of t."""
    path = [t]
    for _ in range(STEPS):
        path.append(path[-1] - LEARNING_RATE * float(gradient_of(path[-1])))
    return path


def torch_gradient(predict, t):
    t = torch.tensor(t, requires_grad=True)
    return torch.autograd.grad((predict(t) - labels_torch).pow(2).mean(), t)[0]


predictors = {
    "hard (sign)": lambda t: (torch.sign(x_torch - t) + 1) / 2,
    "sigmoid": lambda t: torch.sigmoid((x_torch - t) / TAU),
}
paths = {}
for name, predict in predictors.items():
    paths[name] = descend(lambda t, predict=predict: torch_gradient(predict, t))
    gradient = float(torch_gradient(predict, 0.2))
    print(f"torch {name}: gradient at 0.2 = {gradient:.4g}, final t = {paths[name][-1]:.4f}")
assert max(abs(t - 0.2) for t in paths["hard (sign)"]) == 0.0, "the sign threshold moved"
t_learned = paths["sigmoid"][-1]
np.testing.assert_allclose(t_learned, 0.6, atol=0.01, err_msg="learned threshold")

# %%
# The same in JAX
# ---------------
# In JAX the comparison does not raise: ``jnp.where(x > t, 1.0, 0.0)`` has a gradient of
# exactly 0 with respect to ``t``, so gradient descent stays at the start, and the sigmoid
# version ends where it ended in PyTorch.
x_jax, labels_jax = jnp.asarray(x_data), jnp.asarray(labels)
losses_jax = {
    "hard (where)": lambda t: jnp.mean((jnp.where(x_jax > t, 1.0, 0.0) - labels_jax) ** 2),
    "sigmoid": lambda t: jnp.mean((jax.nn.sigmoid((x_jax - t) / TAU) - labels_jax) ** 2),
}
paths_jax = {name: descend(jax.jit(jax.grad(loss))) for name, loss in losses_jax.items()}
for name, path in paths_jax.items():
    print(f"JAX {name}: final t = {path[-1]:.4f}")
assert max(abs(t - 0.2) for t in paths_jax["hard (where)"]) == 0.0, "the where threshold moved"
np.testing.assert_allclose(paths_jax["sigmoid"][-1], t_learned, atol=1e-4, err_msg="JAX vs torch")
