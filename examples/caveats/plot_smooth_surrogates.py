"""
====================================
Smooth surrogates for hard decisions
====================================

A hard decision (a step, ``relu``'s corner, ``max``, ``argmax``) either has a
zero gradient almost everywhere or a gradient that ignores the decision
itself. A smooth surrogate with a temperature ``tau`` replaces it: ``sigmoid``
for a step, ``softplus`` for ``relu``, ``logsumexp`` for ``max`` and
``softmax`` for ``argmax``. Below, the surrogates' gradients are measured as
``tau`` falls, showing how they approach the hard version and where they do
not, and the straight-through estimator (hard forward value, surrogate
gradient) is written out in PyTorch and JAX. How to choose between them is
discussed in :doc:`/guide/best_practices`.
"""

# %%
# Gradients of the surrogates as the temperature falls (PyTorch)
# --------------------------------------------------------------
# ``softplus`` with temperature ``tau`` is ``tau * log(1 + exp(x / tau))``;
# its derivative is ``sigmoid(x / tau)``, which tends to ``relu``'s derivative
# ``1[x > 0]``. The largest gap for ``|x| >= 0.1`` is ``sigmoid(-0.1 / tau)``.
# The derivative of the smooth step ``sigmoid(x / tau)`` tends to 0 at every
# ``x != 0`` once ``tau`` is well below ``|x|``, like the hard step's, while its
# peak at 0 grows like ``1 / (4 tau)``; its area over ``[-1, 1]`` is the rise
# ``sigmoid(1 / tau) - sigmoid(-1 / tau)``, which tends to the jump, 1: it
# becomes a spike that the hard step's autodiff never reports.
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch.autograd.functional import jacobian

taus = [0.5, 0.2, 0.05, 0.01]
grid = torch.linspace(-1.0, 1.0, 4001, dtype=torch.float64, requires_grad=True)
away = grid.detach().abs() >= 0.1 - 1e-9  # |x| >= 0.1, robust to rounding of the grid
d_softplus, d_step = {}, {}
for tau in taus:
    (gs,) = torch.autograd.grad((tau * F.softplus(grid / tau)).sum(), grid)
    (gt,) = torch.autograd.grad(torch.sigmoid(grid / tau).sum(), grid)
    d_softplus[tau], d_step[tau] = gs, gt
    gap = (gs - (grid.detach() > 0).double())[away].abs().max().item()
    area = torch.trapezoid(gt, grid.detach()).item()
    rise = 1 / (1 + np.exp(-1 / tau)) - 1 / (1 + np.exp(1 / tau))
    print(f"tau = {tau:4}: max |softplus' - relu'| on |x| >= 0.1 = {gap:.2e} "
          f"(sigmoid(-0.1 / tau) = {1 / (1 + np.exp(0.1 / tau)):.2e})")
    print(f"            step' at 0.2 = {gt[2400].item():.2e}, at 0 = {gt[2000].item():.2f} "
          f"(1 / (4 tau) = {1 / (4 * tau):.2f}), area = {area:.4f} (rise {rise:.4f})")
    assert abs(gap - 1 / (1 + np.exp(0.1 / tau))) < 1e-9 and abs(area - rise) < 1e-4
    assert abs(gt[2000].item() - 1 / (4 * tau)) < 1e-9
gaps = [(d_softplus[t] - (grid.detach() > 0).double())[away].abs().max().item() for t in taus]
assert np.all(np.diff(gaps) < 0) and gaps[-1] < 1e-4
assert d_step[taus[-1]][2400].item() < 1e-6

# %%
# Picture: surrogate gradients approaching the hard ones
# ------------------------------------------------------
# Left: the smooth step's derivative narrows into a spike of area 1 while the
# hard step's autodiff derivative is 0 everywhere (the ``tau = 0.01`` peak,
# 25, is clipped). Right: ``softplus``'s derivative approaches ``relu``'s
# derivative, a step.
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(8, 3.6), sharex=True)
x_np = grid.detach().numpy()
for tau in taus:
    ax0.plot(x_np, d_step[tau].numpy(), label=f"tau = {tau}")
    ax1.plot(x_np, d_softplus[tau].numpy(), label=f"tau = {tau}")
ax0.plot(x_np, 0 * x_np, "k--", label="hard step (autodiff)")
ax1.plot(x_np, (x_np > 0).astype(float), "k--", label="relu'")
ax0.set(xlabel="x", ylabel="derivative", ylim=(-0.5, 8), title="d/dx sigmoid(x / tau)")
ax1.set(xlabel="x", title="d/dx softplus_tau(x)")
ax0.legend(fontsize=8)
ax1.legend(fontsize=8)
fig.tight_layout()

# %%
# ``logsumexp`` for ``max`` and ``softmax`` for ``argmax``
# --------------------------------------------------------
# The gradient of ``tau * logsumexp(v / tau)`` is ``softmax(v / tau)``, which
# tends to the gradient of ``max``: a one-hot vector at the largest entry.
# The same ``softmax`` is the surrogate *value* for ``onehot(argmax(v))``; its
# Jacobian tends to 0 (the hard ``argmax`` passes no gradient) when the top
# two entries differ, but grows like ``1 / tau`` at a tie.
v = torch.tensor([1.0, 0.8, -0.5], dtype=torch.float64)
tie = torch.tensor([1.0, 1.0, -0.5], dtype=torch.float64)
onehot = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
softmax = partial(torch.softmax, dim=0)
dist, jac_v, jac_tie = [], [], []
for tau in taus:
    vv = v.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(tau * torch.logsumexp(vv / tau, 0), vv)
    dist.append((g - onehot).abs().sum().item())
    # Jacobian of u -> softmax(u / tau) = (Jacobian of softmax at u / tau) / tau
    jac_v.append((jacobian(softmax, v / tau) / tau).norm().item())
    jac_tie.append((jacobian(softmax, tie / tau) / tau).norm().item())
    print(f"tau = {tau:4}: grad of smooth max = {np.round(g.numpy(), 4)}, "
          f"|grad - onehot|_1 = {dist[-1]:.2e}")
    print(f"            |Jacobian of softmax(v / tau)| = {jac_v[-1]:.2e} (gap 0.2), "
          f"{jac_tie[-1]:.2e} (tie; 1 / (2 tau) = {1 / (2 * tau):.2e})")
assert np.all(np.diff(dist) < 0) and dist[-1] < 1e-6
assert jac_v[-1] < 1e-6 and np.all(np.diff(jac_tie) > 0)
assert abs(jac_tie[-1] * taus[-1] - 0.5) < 1e-6  # at a tie: |J| = 1 / (2 tau)

# %%
# The same surrogates in JAX
# --------------------------
# ``jax.nn.softplus`` and ``jax.nn.logsumexp`` give the same gradients as
# the closed forms and as PyTorch (in float32 here, so compared with a
# float32 tolerance).
import jax
import jax.numpy as jnp

smooth_relu = jax.grad(lambda x, tau: tau * jax.nn.softplus(x / tau))
smooth_max = jax.grad(lambda u, tau: tau * jax.nn.logsumexp(u / tau))
for tau in [0.2, 0.05]:
    g_sp, g_max = smooth_relu(0.05, tau), smooth_max(jnp.asarray(v, jnp.float32), tau)
    print(f"JAX tau = {tau}: softplus' at 0.05 = {float(g_sp):.6f} "
          f"(sigmoid(0.05 / tau) = {1 / (1 + np.exp(-0.05 / tau)):.6f})")
    print(f"              grad of smooth max = {np.asarray(g_max).round(6)} "
          f"(softmax(v / tau) = {torch.softmax(v / tau, 0).numpy().round(6)})")
    assert abs(float(g_sp) - 1 / (1 + np.exp(-0.05 / tau))) < 1e-6
    np.testing.assert_allclose(g_max, torch.softmax(v / tau, 0).numpy(), atol=1e-6)

# %%
# The straight-through estimator in PyTorch
# -----------------------------------------
# Forward with the hard value, backward with a chosen surrogate's gradient:
# ``x + (hard - x).detach()`` is ``hard`` in value (up to float rounding) and
# has the identity's gradient. With a sigmoid surrogate,
# ``soft + (hard - soft).detach()`` passes ``sigmoid'(x / tau) / tau``.
x = torch.tensor([-1.2, 0.3, 1.7], requires_grad=True)
y = x + (torch.round(x) - x).detach()
y.sum().backward()
print(f"STE round: forward {y.detach().numpy()}, gradient {x.grad.numpy()}")
torch.testing.assert_close(y.detach(), torch.round(x.detach()))
torch.testing.assert_close(x.grad, torch.ones(3))

tau = 0.5
x.grad = None
soft = torch.sigmoid(x / tau)
y = soft + ((x > 0).float() - soft).detach()
y.sum().backward()
expected = (soft * (1 - soft) / tau).detach()
print(f"STE step (sigmoid, tau = {tau}): forward {y.detach().numpy()}, gradient "
      f"{x.grad.numpy()}, expected {expected.numpy()}")
torch.testing.assert_close(y.detach(), torch.tensor([0.0, 1.0, 1.0]))
torch.testing.assert_close(x.grad, expected)

# %%
# The straight-through estimator in JAX
# -------------------------------------
# ``jax.lax.stop_gradient`` plays the role of ``.detach()``. The forward value
# and the gradients are the same as in PyTorch.
xj = jnp.array([-1.2, 0.3, 1.7])
ste_round = lambda x: x + jax.lax.stop_gradient(jnp.round(x) - x)  # noqa: E731


def ste_step(x):
    soft = jax.nn.sigmoid(x / tau)
    return soft + jax.lax.stop_gradient((x > 0).astype(x.dtype) - soft)


g_round = jax.grad(lambda x: ste_round(x).sum())(xj)
g_step = jax.grad(lambda x: ste_step(x).sum())(xj)
print(f"JAX STE round: forward {ste_round(xj)}, gradient {g_round}")
print(f"JAX STE step: forward {ste_step(xj)}, gradient {g_step}")
np.testing.assert_allclose(ste_round(xj), [-1.0, 0.0, 2.0], atol=1e-6)
np.testing.assert_allclose(g_round, np.ones(3), atol=1e-6)
np.testing.assert_allclose(ste_step(xj), [0.0, 1.0, 1.0], atol=1e-6)
np.testing.assert_allclose(g_step, expected.numpy(), rtol=1e-5)
