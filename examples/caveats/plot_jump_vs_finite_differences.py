"""
================================================
Jumps are invisible to automatic differentiation
================================================

A Python ``if`` can make a function jump. Automatic differentiation only
follows the operations that actually ran, so it reports the derivative of the
branch that was taken and never sees the jump. Central finite differences do
see it: across the boundary they grow like ``jump / (2 h)`` as the step ``h``
shrinks. Below, both are measured next to each other, and then the practical
consequence: a threshold inside a hard comparison receives no gradient, so
gradient descent cannot move it, while a smoothed threshold is learned.
The rules of thumb that follow are collected in :doc:`/guide/best_practices`.
"""

# %%
# A function with a jump, in PyTorch
# ----------------------------------
# ``f(x) = x**2`` for ``x < 1`` and ``3 * x`` otherwise: the value jumps from
# 1 to 3 at ``x = 1`` and the slope changes from 2 to 3. Exactly at the
# boundary the ``else`` branch runs, so autodiff returns 3; just below it,
# the ``if`` branch runs and autodiff returns ``2 x``. Neither number says
# anything about the jump of size 2.
import matplotlib.pyplot as plt
import numpy as np
import torch


def f(x):
    if x < 1.0:
        return x**2
    return 3.0 * x


JUMP = 2.0
for x0, slope in [(1.0, 3.0), (1.0 - 1e-9, 2.0 * (1.0 - 1e-9))]:
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = f(x)
    y.backward()
    print(f"x = {x0:.10f}: f = {y.item():.9f}, autodiff f' = {x.grad.item():.9f} "
          f"(branch slope {slope:.9f})")
    assert abs(x.grad.item() - slope) < 1e-12
assert abs(f(1.0) - f(1.0 - 1e-9) - JUMP) < 1e-8

# %%
# Finite differences blow up at the boundary
# ------------------------------------------
# The central difference ``(f(1 + h) - f(1 - h)) / (2 h)`` straddles the jump.
# Here it equals ``(2 + 5 h - h**2) / (2 h) = JUMP / (2 h) + 2.5 - h / 2``:
# the jump term dominates, growing tenfold each time ``h`` shrinks tenfold,
# while autodiff stays at 3. The last column, ``fd * 2 h / JUMP``, tends to 1.
print(f"{'h':>8} {'finite diff':>14} {'closed form':>14} {'autodiff':>9} {'fd*2h/jump':>11}")
x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
f(x).backward()
for h in [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]:
    fd = (f(1.0 + h) - f(1.0 - h)) / (2 * h)
    closed = JUMP / (2 * h) + 2.5 - h / 2
    print(f"{h:8.0e} {fd:14.6f} {closed:14.6f} {x.grad.item():9.3f} {fd * 2 * h / JUMP:11.6f}")
    assert abs(fd - closed) < 1e-6 * closed and abs(fd * 2 * h / JUMP - 1) < 3 * h

# %%
# Picture: the function, autodiff and finite differences
# ------------------------------------------------------
# Autodiff (black) is the slope of whichever piece the point lies on. Each
# finite-difference curve agrees with it away from the boundary and spikes to
# about ``JUMP / (2 h)`` for points closer than ``h`` to the boundary (the plot
# is clipped at 40; the ``h = 0.01`` spike reaches about 100).
grid = np.linspace(0.0, 2.0, 401)
auto = []
for g in grid:
    xt = torch.tensor(g, dtype=torch.float64, requires_grad=True)
    f(xt).backward()
    auto.append(xt.grad.item())
fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(6.4, 5.5), sharex=True)
ax0.plot(grid, [f(g) for g in grid], ".", ms=2, color="k")
ax0.set(ylabel="f(x)", title="f jumps by 2 at x = 1")
ax1.plot(grid, auto, color="k", lw=2, label="autodiff")
for h in [0.1, 0.03, 0.01]:
    ax1.plot(grid, [(f(g + h) - f(g - h)) / (2 * h) for g in grid], lw=1,
             label=f"central FD, h = {h}")
ax1.set(xlabel="x", ylabel="derivative estimate", ylim=(0, 40))
ax1.legend()
fig.tight_layout()

# %%
# The same in JAX
# ---------------
# ``jax.grad`` (without ``jax.jit``) runs the Python ``if`` on the concrete
# value, so it behaves exactly like PyTorch. ``jnp.where`` evaluates both
# branches but differentiates only the selected one, with the same result.
# The finite differences are computed in float32 here (JAX's default), so
# only steps down to ``1e-3`` are used.
import jax
import jax.numpy as jnp

for x0, slope in [(1.0, 3.0), (0.999999, 2 * 0.999999)]:
    g_if = float(jax.grad(f)(jnp.float32(x0)))
    g_where = float(jax.grad(lambda x: jnp.where(x < 1.0, x**2, 3.0 * x))(jnp.float32(x0)))
    print(f"JAX x = {x0}: f = {float(f(jnp.float32(x0))):.6f}, grad(if) = {g_if:.6f}, "
          f"grad(where) = {g_where:.6f} (branch slope {slope:.6f})")
    assert abs(g_if - slope) < 1e-5 and abs(g_where - slope) < 1e-5
for h in [1e-1, 1e-2, 1e-3]:
    fd = float((f(jnp.float32(1.0 + h)) - f(jnp.float32(1.0 - h))) / (2 * h))
    closed = JUMP / (2 * h) + 2.5 - h / 2
    print(f"JAX h = {h:.0e}: finite diff {fd:.3f}, closed form {closed:.3f}")
    assert abs(fd - closed) < 1e-3 * closed

# %%
# A hard threshold cannot be learned (PyTorch)
# --------------------------------------------
# Fit the threshold ``t`` of a step ``1[x > t]`` to labels made with
# ``t = 0.6``. Written with a comparison, the prediction has no ``grad_fn``
# and ``backward`` raises. Written with ``torch.sign`` it is differentiable,
# but the derivative of ``sign`` is 0, so ``t`` never moves. A sigmoid with
# temperature ``tau`` gives ``t`` a real gradient, and ``t`` converges to a
# value that separates the data.
rng = np.random.default_rng(0)
x_np = np.sort(rng.uniform(0.0, 1.0, 200)).astype(np.float32)
y_np = (x_np > 0.6).astype(np.float32)
xs, ys = torch.from_numpy(x_np), torch.from_numpy(y_np)
try:
    ((xs > torch.tensor(0.2, requires_grad=True)).float() - ys).pow(2).mean().backward()
except RuntimeError as err:
    print(f"comparison: {type(err).__name__}: {err}")
    assert isinstance(err, RuntimeError)
else:
    raise AssertionError("backward through a comparison did not raise")
TAU, LR, STEPS = 0.05, 0.05, 100


def descend(grad_fn, t=0.2):
    """Plain gradient descent on the threshold; returns the path of t."""
    path = [t]
    for _ in range(STEPS):
        path.append(path[-1] - LR * float(grad_fn(path[-1])))
    return path


def torch_grad(pred, t):
    t = torch.tensor(t, requires_grad=True)
    return torch.autograd.grad((pred(t) - ys).pow(2).mean(), t)[0]


preds = {"hard (sign)": lambda t: (torch.sign(xs - t) + 1) / 2,
         "sigmoid": lambda t: torch.sigmoid((xs - t) / TAU)}
traj = {}
for name, pred in preds.items():
    traj[name] = descend(lambda t, pred=pred: torch_grad(pred, t))
    print(f"torch {name}: gradient at t = 0.2: {float(torch_grad(pred, 0.2)):.4g}, "
          f"t after {STEPS} steps = {traj[name][-1]:.4f}")
assert abs(float(torch_grad(preds["hard (sign)"], 0.2))) < 1e-12
assert max(abs(t - 0.2) for t in traj["hard (sign)"]) < 1e-12
t_learned = traj["sigmoid"][-1]
assert abs(t_learned - 0.6) < 0.01 and np.all((x_np > t_learned) == (y_np > 0.5))

# %%
# The same in JAX
# ---------------
# In JAX the comparison does not raise: ``jnp.where(x > t, 1.0, 0.0)`` has a
# gradient of exactly 0 with respect to ``t``. Gradient descent therefore
# stays at the starting point, and the sigmoid version is learned as before.
xj, yj = jnp.asarray(x_np), jnp.asarray(y_np)
grad_hard = jax.jit(jax.grad(lambda t: jnp.mean((jnp.where(xj > t, 1.0, 0.0) - yj) ** 2)))
grad_smooth = jax.jit(jax.grad(lambda t: jnp.mean((jax.nn.sigmoid((xj - t) / TAU) - yj) ** 2)))
traj_jax = {"hard (where)": descend(grad_hard), "sigmoid": descend(grad_smooth)}
for name, grad_fn in [("hard (where)", grad_hard), ("sigmoid", grad_smooth)]:
    print(f"JAX {name}: gradient at t = 0.2: {float(grad_fn(0.2)):.4g}, "
          f"t after {STEPS} steps = {traj_jax[name][-1]:.4f}")
assert abs(float(grad_hard(0.2))) < 1e-12
assert max(abs(t - 0.2) for t in traj_jax["hard (where)"]) < 1e-12
assert abs(traj_jax["sigmoid"][-1] - t_learned) < 1e-4

# %%
# Trajectories of the threshold
# -----------------------------
# The hard thresholds stay flat at their starting value 0.2 in both
# frameworks; the smoothed threshold has settled within 20 steps.
print(f"sigmoid threshold after 20 steps: {traj['sigmoid'][20]:.4f}, "
      f"after {STEPS}: {t_learned:.4f}")
assert abs(traj["sigmoid"][20] - t_learned) < 0.005
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot(traj["hard (sign)"], label="torch, hard (sign)", lw=3, alpha=0.6)
ax.plot(traj["sigmoid"], label=f"torch, sigmoid (tau = {TAU})", lw=3, alpha=0.6)
ax.plot(traj_jax["hard (where)"], "k--", label="JAX, hard (where)")
ax.plot(traj_jax["sigmoid"], "k:", label="JAX, sigmoid")
ax.axhline(0.6, color="grey", lw=0.8, label="threshold used for the labels")
ax.set(xlabel="gradient-descent step", ylabel="threshold t",
       title="A hard threshold gets no gradient; a smooth one is learned")
ax.legend()
fig.tight_layout()
# sphinx_gallery_thumbnail_number = 1
