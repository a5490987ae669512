"""
===========================================================
Gradients of expectations: pathwise, REINFORCE, and a jump
===========================================================

The gradient of an expectation ``d/dmu E[f(x)]`` with ``x ~ Normal(mu, sigma)`` has two
standard sampling estimators (there are others, such as measure-valued derivatives, not shown
here): the *pathwise* one differentiates ``f`` through a reparameterised sample
``x = mu + sigma * noise``, the *score-function* one (REINFORCE) multiplies ``f(x)`` by the
derivative of ``log p(x)`` and never differentiates ``f``. Both are unbiased for a smooth
``f``; the pathwise one is in general biased when ``f`` jumps, as it misses the boundary term
(the density at each jump times the jump's size). Below, both are measured on the same smooth
objective with a closed-form gradient, and each assertion allows for sampling noise: the mean
of each estimator, in PyTorch and in JAX, lies within 4 standard errors of the exact
gradient. On PyTorch's samples, the variance of both falls like ``1 / n`` in the number ``n``
of samples (groups of ``n`` cut from 2**17 draws; a fitted slope between -1.3 and -0.8), the
pathwise one's is more than 10 times lower, and a leave-one-out baseline lowers REINFORCE's
by more than 1.2 times.
Then a jump that moves with ``mu`` makes the pathwise estimator exactly 0 while REINFORCE stays
right; adding the jump's boundary term repairs the pathwise one, and smoothing the jump makes
it unbiased for a nearby objective, with a small bias the example prints (asserted under 2 %).
REINFORCE on a random *branch* is in :doc:`/auto_examples/caveats/plot_random_branches`.

The guide page :doc:`/guide/best_practices` puts these examples in order.
"""

import math

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from jax.scipy.stats import norm
from torch.distributions import Normal

# %%
# One smooth objective, two estimators (PyTorch)
# ----------------------------------------------
# ``E[(x - c)**2] = (mu - c)**2 + sigma**2``, so the exact gradient is ``2 (mu - c)``. The
# pathwise estimator backpropagates through ``rsample()``; REINFORCE builds the surrogate
# ``log_prob(x.detach()) * f(x).detach()``, whose gradient is ``f(x) * d log p(x) / d mu``.
# One copy of ``mu`` per sample makes one ``autograd.grad`` return every per-sample estimate.
# ``report`` prints each mean's distance from the exact gradient in standard errors (SE) and
# asserts that it is under 4 SE: the band in which this page checks every unbiased estimate.
MU, SIGMA, C, N = 0.5, 1.0, 3.5, 2**17
EXACT = 2 * (MU - C)


def f(x):
    return (x - C) ** 2


def report(name, per_sample, exact):  # print mean, SE and variance; assert no bias
    per_sample = np.asarray(per_sample, dtype=np.float64)
    mean, standard_error = per_sample.mean(), per_sample.std() / math.sqrt(per_sample.size)
    z_score = (mean - exact) / standard_error
    print(f"{name:30s} mean {mean:8.4f} (exact {exact:.4f}, {z_score:5.1f} SE)", end="")
    print(f"  variance {per_sample.var():7.2f}")
    assert abs(mean - exact) < 4 * standard_error, f"{name}: mean {mean}, exact {exact}"
    return per_sample


torch.manual_seed(0)
mu = torch.full((N,), MU, dtype=torch.float64, requires_grad=True)
dist = Normal(mu, SIGMA)
x = dist.rsample()  # mu + SIGMA * noise: differentiable in mu
(pathwise,) = torch.autograd.grad(f(x).sum(), mu)
f_values = f(x.detach())
(reinforce,) = torch.autograd.grad((dist.log_prob(x.detach()) * f_values).sum(), mu)
pathwise = report("PyTorch pathwise (rsample)", pathwise, EXACT)
reinforce = report("PyTorch REINFORCE", reinforce, EXACT)
print(f"per-sample variance ratio REINFORCE / pathwise: {reinforce.var() / pathwise.var():.1f}")


# %%
# The same estimators in JAX
# --------------------------
# JAX has no ``rsample``: the reparameterised sample is written out as
# ``mu + sigma * jax.random.normal(key, ...)``, and ``stop_gradient`` plays ``detach``.
# ``jax.vmap(jax.grad(...))`` over the noise gives the per-sample estimates.
def pathwise_jax(m, noise):
    return f(m + SIGMA * noise)


def reinforce_jax(m, noise):
    x = jax.lax.stop_gradient(m + SIGMA * noise)
    return norm.logpdf(x, m, SIGMA) * f(x)


noise = jax.random.normal(jax.random.key(0), (N,))
for name, estimator in [("pathwise", pathwise_jax), ("REINFORCE", reinforce_jax)]:
    per_sample = jax.jit(jax.vmap(jax.grad(estimator), (None, 0)))(MU, noise)
    report(f"JAX {name}", per_sample, EXACT)

# %%
# Variance against the number of samples, and a leave-one-out baseline
# --------------------------------------------------------------------
# An estimate averages ``n`` per-sample terms; the pool of samples above is cut into groups
# of ``n`` and the variance is measured across groups. REINFORCE with leave-one-out (RLOO)
# subtracts from each ``f(x_i)`` the mean of the other ``n - 1`` values in its group, which is
# independent of ``x_i``: still unbiased, and it removes the variance that the size of ``f``
# itself (not its slope) puts into ``f * d log p / d mu``. The baseline is noisy when few
# samples make it (for ``n = 2``, the other sample of the pair), so its gain grows with ``n``,
# and the leave-one-out variance falls a little faster than ``1 / n`` at first.
group_sizes = [2, 8, 32, 128, 512]
variances = {"pathwise": [], "REINFORCE": [], "REINFORCE, leave-one-out": []}
for n in group_sizes:
    groups = f_values.reshape(-1, n)
    leave_one_out = ((groups.sum(1, keepdim=True) - groups) / (n - 1)).reshape(-1)
    surrogate = dist.log_prob(x.detach()) * (f_values - leave_one_out)
    (rloo,) = torch.autograd.grad(surrogate.sum(), mu)
    per_sample = {"pathwise": pathwise, "REINFORCE": reinforce, "REINFORCE, leave-one-out": rloo}
    for name, terms in per_sample.items():
        estimates = np.asarray(terms).reshape(-1, n).mean(1)
        variances[name].append(estimates.var())
        if name.endswith("leave-one-out"):
            report(f"RLOO, groups of {n}", estimates, EXACT)
print("    n  " + "".join(f"{name:>26s}" for name in variances))
for i, n in enumerate(group_sizes):
    print(f"{n:5d}  " + "".join(f"{values[i]:26.4g}" for values in variances.values()))
for name, values in variances.items():
    slope = np.polyfit(np.log(group_sizes), np.log(values), 1)[0]
    print(f"log-log slope of the variance, {name}: {slope:.2f}")
    assert -1.3 < slope < -0.8, f"{name}: variance falls with slope {slope:.2f}, expected -1"
ratios = np.divide(variances["REINFORCE"], variances["pathwise"])
loo_gain = np.divide(variances["REINFORCE"], variances["REINFORCE, leave-one-out"])
print(f"REINFORCE / pathwise variance: {np.round(ratios, 1)}")
print(f"REINFORCE / leave-one-out variance: {np.round(loo_gain, 1)}")
assert ratios.min() > 10, f"REINFORCE / pathwise variance ratios {ratios}"
assert loo_gain.min() > 1.2, f"leave-one-out variance gains {loo_gain}"
assert loo_gain[-1] > loo_gain[0], f"leave-one-out gain does not grow with n: {loo_gain}"
first_drops = {name: float(values[0] / values[1]) for name, values in variances.items()}
print("variance at n = 2 / at n = 8:", {name: round(drop, 1) for name, drop in first_drops.items()})
assert first_drops["REINFORCE, leave-one-out"] > 5, f"first drops {first_drops}"

fig, ax = plt.subplots(figsize=(6.4, 4))
for name, values in variances.items():
    ax.loglog(group_sizes, values, "o-", label=name)
ax.set(xlabel="samples per estimate n", ylabel="variance of the gradient estimate")
ax.set_title(f"Estimating d/dmu E[(x - {C})²], exact {EXACT:g}")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# An indicator that jumps with ``mu``: the pathwise (reparameterised) gradient is exactly zero
# --------------------------------------------------------------------------------------------
# The expectation of the indicator ``1{x > 0}`` is ``E[1{x > 0}] = Phi(mu)`` for
# ``x ~ Normal(mu, 1)``, so the true gradient is the density ``phi(mu)``. Each sampled path is
# a step with derivative 0 wherever it exists, so the pathwise (reparameterisation) estimate
# is 0 at every sample: the gradient lives in the boundary moving past the samples. In
# PyTorch a comparison cuts the graph and ``autograd.grad`` raises
# (:ref:`error-does-not-require-grad`); written with ``sign`` the graph is kept, and the
# gradient is exactly 0, as in JAX, which returns 0.0 silently. REINFORCE never
# differentiates ``f``, and its mean lies within 4 SE of ``phi(mu)``.
step_exact = math.exp(-(MU**2) / 2) / math.sqrt(2 * math.pi)
try:
    torch.autograd.grad(torch.where(x > 0, 1.0, 0.0).sum(), mu)
except RuntimeError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:3]))
    assert "does not require grad" in message, f"unexpected message: {message}"
else:
    raise AssertionError("autograd.grad through a comparison no longer raises RuntimeError")
(step_pathwise,) = torch.autograd.grad(((1 + torch.sign(x)) / 2).sum(), mu)
step_jax = jax.vmap(jax.grad(lambda m, e: jnp.where(m + e > 0, 1.0, 0.0)), (None, 0))(MU, noise)
step_values = (x.detach() > 0).double()
(step_reinforce,) = torch.autograd.grad((dist.log_prob(x.detach()) * step_values).sum(), mu)
largest_torch, largest_jax = step_pathwise.abs().max().item(), float(jnp.abs(step_jax).max())
print(f"exact gradient phi(mu) = {step_exact:.4f}")
print(f"pathwise, largest |per-sample estimate|: PyTorch {largest_torch}, JAX {largest_jax}")
assert largest_torch == 0.0, f"PyTorch pathwise estimates up to {largest_torch}"
assert largest_jax == 0.0, f"JAX pathwise estimates up to {largest_jax}"
_ = report("PyTorch REINFORCE, step", step_reinforce, step_exact)

# %%
# Fixing the pathwise estimator: smoothing, or the boundary term
# ---------------------------------------------------------------
# Besides the score function (above), two fixes repair the pathwise estimator. Smoothing the
# step into ``sigmoid(x / tau)`` makes it unbiased for a nearby objective; that objective's
# exact gradient, computed without sampling on 200,000 normal quantiles, shows the bias that
# remains at ``tau = 0.1``, as a share of ``phi(mu)``. The other fix adds the *boundary term*
# that the pathwise estimator misses: the density of ``x`` at the jump times the jump's size.
# For the bare step the pathwise part is 0, so that term, ``phi(mu) * 1``, is the whole
# gradient by definition, not a test. The last lines test it where the pathwise part is not
# 0, on ``f(x) = (x + 1) * 1{x > 0}`` (a jump of 1 at 0, then slope 1): each per-sample
# pathwise estimate plus ``phi(mu) * 1``, against the exact gradient ``Phi(mu) + phi(mu)``,
# which autograd takes from the closed form ``E[f] = (mu + 1) Phi(mu) + phi(mu)``.
TAU = 0.1
(smoothed_pathwise,) = torch.autograd.grad(torch.sigmoid(x / TAU).sum(), mu)
quantile_noise = torch.special.ndtri((torch.arange(200_000, dtype=torch.float64) + 0.5) / 2e5)
mu_scalar = torch.tensor(MU, dtype=torch.float64, requires_grad=True)
smoothed_mean = torch.sigmoid((mu_scalar + quantile_noise) / TAU).mean()
(smoothed_exact,) = torch.autograd.grad(smoothed_mean, mu_scalar)
smoothing_bias = smoothed_exact.item() - step_exact
relative_bias = smoothing_bias / step_exact
print(f"smoothed objective's exact gradient {smoothed_exact.item():.4f}, ", end="")
print(f"bias {smoothing_bias:.4f} ({100 * relative_bias:.1f} % of phi(mu))")
assert abs(relative_bias) < 0.02, f"smoothing bias {smoothing_bias}, relative {relative_bias}"
report(f"PyTorch pathwise, tau = {TAU}", smoothed_pathwise, smoothed_exact.item())
ramp = torch.where(x > 0, x + 1, 0.0)  # jumps by 1 at x = 0, then slope 1
(ramp_pathwise,) = torch.autograd.grad(ramp.sum(), mu)
boundary_term = Normal(MU, SIGMA).log_prob(torch.tensor(0.0)).exp().item()
m = mu_scalar  # MU in float64, requires grad
density = torch.exp(-(m**2) / 2) / math.sqrt(2 * math.pi)
ramp_mean = (m + 1) * torch.special.ndtr(m) + density  # E[f], closed form
ramp_exact = torch.autograd.grad(ramp_mean, m)[0].item()
ramp_se = ramp_pathwise.std().item() / math.sqrt(N)
short = (ramp_exact - ramp_pathwise.mean().item()) / ramp_se
print(f"ramp: pathwise alone is {short:.0f} SE short of {ramp_exact:.4f}")
assert short > 20, f"pathwise alone is only {short:.1f} SE short"
ramp_fixed = ramp_pathwise + boundary_term  # boundary term: phi(mu) * 1
_ = report("ramp: pathwise + boundary term", ramp_fixed, ramp_exact)
