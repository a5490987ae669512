"""
====================================
Smooth surrogates for hard decisions
====================================

A hard decision (a step, ``relu``'s corner, ``max``, ``argmax``) either has a zero gradient
almost everywhere or a gradient that ignores the decision itself. A smooth surrogate with a
temperature ``tau`` replaces it: ``sigmoid`` for a step, ``softplus`` for ``relu``,
``logsumexp`` for ``max`` and ``softmax`` for ``argmax``. Below, the surrogates' gradients are
measured as ``tau`` falls, showing how they approach the hard version and where they do not,
and the straight-through estimator (hard forward value, surrogate gradient) is written out in
PyTorch and JAX. How to choose between them is discussed in :doc:`/guide/best_practices`.
"""

# %%
# Gradients of the surrogates as the temperature falls (PyTorch)
# --------------------------------------------------------------
# ``softplus`` with temperature ``tau`` is ``tau * log(1 + exp(x / tau))``; its derivative is
# ``sigmoid(x / tau)``, which tends to ``relu``'s derivative ``1[x > 0]``: the largest gap for
# ``|x| >= 0.1`` is ``sigmoid(-0.1 / tau)``. The derivative of the smooth step
# ``sigmoid(x / tau)`` tends to 0 at every ``x != 0``, like the hard step's, while its peak at
# 0 is ``1 / (4 tau)`` and its area over ``[-1, 1]`` is the rise
# ``sigmoid(1 / tau) - sigmoid(-1 / tau)``, which tends to the jump, 1: it becomes a spike
# that the hard step's autodiff never reports.
from functools import partial

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch.autograd.functional import jacobian


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


taus = [0.5, 0.2, 0.05, 0.01]
grid = torch.linspace(-1.0, 1.0, 4001, dtype=torch.float64, requires_grad=True)
AT_0, AT_02 = 2000, 2400  # grid indices of x = 0 and x = 0.2
away = grid.detach().abs() >= 0.1 - 1e-9  # |x| >= 0.1, robust to rounding of the grid
softplus_slopes, step_slopes, gaps = {}, {}, []
for tau in taus:
    (softplus_slopes[tau],) = torch.autograd.grad((tau * F.softplus(grid / tau)).sum(), grid)
    (step_slopes[tau],) = torch.autograd.grad(torch.sigmoid(grid / tau).sum(), grid)
    gaps.append((softplus_slopes[tau] - (grid.detach() > 0).double())[away].abs().max().item())
    area = torch.trapezoid(step_slopes[tau], grid.detach()).item()
    peak, at_02 = step_slopes[tau][AT_0].item(), step_slopes[tau][AT_02].item()
    print(f"tau = {tau:4}: max |softplus' - relu'| on |x| >= 0.1 = {gaps[-1]:.2e}")
    print(f"   step': at 0.2 {at_02:.2e}, at 0 {peak:.2f}, area {area:.4f}")
    np.testing.assert_allclose(gaps[-1], sigmoid(-0.1 / tau), rtol=1e-9, err_msg=f"gap, {tau}")
    np.testing.assert_allclose(peak, 1 / (4 * tau), rtol=1e-9, err_msg=f"peak, tau = {tau}")
    rise = sigmoid(1 / tau) - sigmoid(-1 / tau)
    np.testing.assert_allclose(area, rise, atol=1e-4, err_msg=f"area, tau = {tau}")
assert np.all(np.diff(gaps) < 0), f"the softplus gaps {gaps} do not shrink as tau falls"
assert step_slopes[taus[-1]][AT_02].item() < 1e-6, "the step's slope at 0.2 is not ~0"

# %%
# Picture: surrogate gradients approaching the hard ones
# ------------------------------------------------------
# Left: the smooth step's derivative narrows into a spike of area 1 while the hard step's
# autodiff derivative is 0 everywhere (the ``tau = 0.01`` peak, 25, is clipped). Right:
# ``softplus``'s derivative approaches ``relu``'s derivative, a step.
fig, (ax_step, ax_relu) = plt.subplots(1, 2, figsize=(8, 3.6), sharex=True)
x_plot = grid.detach().numpy()
for tau in taus:
    ax_step.plot(x_plot, step_slopes[tau].numpy(), label=f"tau = {tau}")
    ax_relu.plot(x_plot, softplus_slopes[tau].numpy(), label=f"tau = {tau}")
ax_step.plot(x_plot, 0 * x_plot, "k--", label="hard step (autodiff)")
ax_relu.plot(x_plot, (x_plot > 0).astype(float), "k--", label="relu'")
ax_step.set(xlabel="x", ylabel="derivative", ylim=(-0.5, 8), title="d/dx sigmoid(x / tau)")
ax_relu.set(xlabel="x", title="d/dx softplus_tau(x)")
ax_step.legend(fontsize=8)
ax_relu.legend(fontsize=8)
fig.tight_layout()

# %%
# ``logsumexp`` for ``max`` and ``softmax`` for ``argmax``
# --------------------------------------------------------
# The gradient of ``tau * logsumexp(v / tau)`` is ``softmax(v / tau)``, which tends to the
# gradient of ``max``: a one-hot vector at the largest entry. The same ``softmax`` is the
# surrogate *value* for ``onehot(argmax(v))``; its Jacobian tends to 0 (the hard ``argmax``
# passes no gradient) when the top two entries differ, but grows like ``1 / (2 tau)`` at a tie.
# Below, "distance" is the L1 distance ``|grad - onehot|_1`` and "Jacobian norm" the
# Frobenius norm of the Jacobian.
scores = torch.tensor([1.0, 0.8, -0.5], dtype=torch.float64)
tied = torch.tensor([1.0, 1.0, -0.5], dtype=torch.float64)
onehot = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
softmax = partial(torch.softmax, dim=0)
distances, jacobian_gap, jacobian_tie = [], [], []
for tau in taus:
    scores_in = scores.clone().requires_grad_(True)
    (smooth_max_grad,) = torch.autograd.grad(tau * torch.logsumexp(scores_in / tau, 0), scores_in)
    distances.append((smooth_max_grad - onehot).abs().sum().item())
    # Jacobian of u -> softmax(u / tau) = (Jacobian of softmax at u / tau) / tau
    jacobian_gap.append((jacobian(softmax, scores / tau) / tau).norm().item())
    jacobian_tie.append((jacobian(softmax, tied / tau) / tau).norm().item())
    rounded_grad = np.round(smooth_max_grad.numpy(), 4)
    print(f"tau = {tau:4}: grad of smooth max {rounded_grad}, distance {distances[-1]:.2e}")
    print(f"   Jacobian norm: {jacobian_gap[-1]:.2e} (gap), {jacobian_tie[-1]:.2e} (tie)")
assert np.all(np.diff(distances) < 0), f"|grad - onehot| {distances} does not shrink"
assert distances[-1] < 1e-6, f"|grad - onehot| = {distances[-1]} at tau = {taus[-1]}"
assert jacobian_gap[-1] < 1e-6, f"|Jacobian| = {jacobian_gap[-1]} at a gap, tau = {taus[-1]}"
assert np.all(np.diff(jacobian_tie) > 0), f"|Jacobian| at a tie {jacobian_tie} does not grow"
np.testing.assert_allclose(jacobian_tie[-1], 1 / (2 * taus[-1]), rtol=1e-6, err_msg="tie")

# %%
# The same surrogates in JAX
# --------------------------
# ``jax.nn.softplus`` and ``jax.nn.logsumexp`` give the same gradients as the closed forms and
# as PyTorch (in float32 here, so compared with a float32 tolerance).
smooth_relu = jax.grad(lambda x, tau: tau * jax.nn.softplus(x / tau))
smooth_max = jax.grad(lambda u, tau: tau * jax.nn.logsumexp(u / tau))
for tau in [0.2, 0.05]:
    relu_slope = float(smooth_relu(0.05, tau))
    max_grad = np.asarray(smooth_max(jnp.asarray(scores, jnp.float32), tau)).round(6)
    print(f"JAX tau = {tau}: softplus' at 0.05 = {relu_slope:.6f}, grad of smooth max {max_grad}")
    np.testing.assert_allclose(relu_slope, sigmoid(0.05 / tau), atol=1e-6, err_msg=f"{tau}")
    np.testing.assert_allclose(max_grad, softmax(scores / tau).numpy(), atol=1e-6, err_msg=f"{tau}")

# %%
# The straight-through estimator in PyTorch
# -----------------------------------------
# Forward with the hard value, backward with a chosen surrogate's gradient:
# ``x + (hard - x).detach()`` is ``hard`` in value (up to float rounding) and has the
# identity's gradient. With a sigmoid surrogate, ``soft + (hard - soft).detach()`` passes
# ``sigmoid'(x / tau) / tau``.
TAU = 0.5
x = torch.tensor([-1.2, 0.3, 1.7], requires_grad=True)
rounded = x + (torch.round(x) - x).detach()
(round_grad,) = torch.autograd.grad(rounded.sum(), x)
soft = torch.sigmoid(x / TAU)
stepped = soft + ((x > 0).float() - soft).detach()
(step_grad,) = torch.autograd.grad(stepped.sum(), x)
expected_step_grad = (soft * (1 - soft) / TAU).detach()
print(f"STE round: forward {rounded.detach().numpy()}, gradient {round_grad.numpy()}")
print(f"STE step (tau = {TAU}): forward {stepped.detach().numpy()}, gradient {step_grad.numpy()}")
torch.testing.assert_close(rounded.detach(), torch.round(x.detach()))
torch.testing.assert_close(round_grad, torch.ones(3))
torch.testing.assert_close(stepped.detach(), torch.tensor([0.0, 1.0, 1.0]))
torch.testing.assert_close(step_grad, expected_step_grad)


# %%
# The straight-through estimator in JAX
# -------------------------------------
# ``jax.lax.stop_gradient`` plays the role of ``.detach()``. The forward values and the
# gradients are the same as in PyTorch.
def ste_round(x):
    return x + jax.lax.stop_gradient(jnp.round(x) - x)


def ste_step(x):
    soft = jax.nn.sigmoid(x / TAU)
    return soft + jax.lax.stop_gradient((x > 0).astype(x.dtype) - soft)


x_jax = jnp.array([-1.2, 0.3, 1.7])
for name, ste, forward, gradient in [
    ("round", ste_round, rounded, round_grad),
    ("step", ste_step, stepped, step_grad),
]:
    jax_gradient = jax.grad(lambda x, ste=ste: ste(x).sum())(x_jax)
    print(f"JAX STE {name}: forward {ste(x_jax)}, gradient {jax_gradient}")
    np.testing.assert_allclose(ste(x_jax), forward.detach().numpy(), atol=1e-6, err_msg=name)
    np.testing.assert_allclose(jax_gradient, gradient.numpy(), rtol=1e-5, err_msg=name)
