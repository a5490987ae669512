"""
===============
Random branches
===============

A coin flip with probability ``p(theta) = sigmoid(theta)`` picks which of two differentiable
functions of ``theta`` runs. Autodiff through the sampled path returns the exact derivative of
the branch that ran, but the gradient of the *expected* value also depends on how ``p`` moves
with ``theta``, which no sampled path shows. Estimators are measured against the exact
gradient over many seeded samples: autodiff through the sample (biased), REINFORCE with
different baselines (biased if the baseline includes the sample it scales), and the
Gumbel-softmax relaxation (biased at every temperature). See :doc:`/guide/best_practices`.
"""

import math

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.distributions import Bernoulli, RelaxedBernoulli

# %%
# The setup and the exact gradient
# --------------------------------
# Heads (probability ``p``) gives ``h = 12 - theta**2``, tails gives ``t = 8 + theta``. The
# expected value ``p * h + (1 - p) * t`` is an ordinary function of ``theta``, with the exact
# gradient ``p h' + (1 - p) t' + p' (h - t)``. Autodiff through one sampled path sees only the
# first two terms.
THETA, N = 0.5, 100_000
heads, tails = (lambda t: 12 - t**2), (lambda t: 8 + t)


def value(z, t):  # the sampled path: z = 1 runs heads, z = 0 runs tails
    return z * heads(t) + (1 - z) * tails(t)


theta_scalar = torch.tensor(THETA, dtype=torch.float64, requires_grad=True)
p = torch.sigmoid(theta_scalar)
(exact,) = torch.autograd.grad(value(p, theta_scalar), theta_scalar)  # linear in z: E = value(p)
exact, prob_heads = exact.item(), p.item()
missing_term = prob_heads * (1 - prob_heads) * (heads(THETA) - tails(THETA))  # p' * (h - t)
closed_form = prob_heads * (-2 * THETA) + (1 - prob_heads) * 1.0 + missing_term
print(f"exact d/dtheta E[value] = {exact:.6f}, closed form {closed_form:.6f}")
np.testing.assert_allclose(exact, closed_form, rtol=1e-12, err_msg="exact gradient")

# %%
# A discrete draw has no reparameterisation
# -----------------------------------------
# A reparameterised sample (``rsample``) writes the draw as a differentiable function of
# ``theta`` and noise that does not depend on ``theta``. A coin is ``1[u < p]`` for uniform
# ``u``: a step in ``theta``, whose derivative is 0 wherever it exists. So ``Bernoulli`` has
# no ``rsample``; a relaxation such as ``RelaxedBernoulli`` (below) has one, for a different,
# continuous random variable.
print("Bernoulli.has_rsample:", Bernoulli.has_rsample)
assert not Bernoulli.has_rsample, "Bernoulli now has a reparameterised sample"
try:
    Bernoulli(logits=theta_scalar).rsample()
except NotImplementedError as err:
    print(f"Bernoulli.rsample: {type(err).__name__}: {str(err)!r}")
else:
    raise AssertionError("Bernoulli.rsample no longer raises NotImplementedError")


# %%
# Autodiff through the sampled path: biased for the expectation
# --------------------------------------------------------------
# One copy of ``theta`` per sample lets one ``backward`` return every per-sample gradient:
# exactly ``-2 * theta`` or ``1``, the derivative of the branch that ran. Their mean misses
# ``p' * (heads - tails)``, and here even has the wrong sign. Every estimate below is averaged
# over a pair of samples (``N / 2`` pairs), so that a baseline may use the pair.
def measure(name, pairs):  # keep the per-pair estimates; print and return bias, SE, variance
    estimates[name] = pairs
    mean, standard_error = pairs.mean().item(), pairs.std().item() / math.sqrt(len(pairs))
    bias = mean - exact
    print(f"{name:32s} mean {mean:7.4f}  bias {bias:7.4f} ({bias / standard_error:6.1f} SE)")
    return bias, standard_error, pairs.var().item()


def per_pair_estimates(baseline=None):  # no baseline function: plain autodiff, no score term
    dist = Bernoulli(logits=theta)
    z = dist.sample()
    surrogate = path_value = value(z, theta)
    if baseline is not None:
        baseline_value = baseline(path_value.detach().reshape(-1, 2)).reshape(-1)
        surrogate = path_value + (path_value.detach() - baseline_value) * dist.log_prob(z)
    return torch.autograd.grad(surrogate.sum(), theta)[0].reshape(-1, 2).mean(1)


torch.manual_seed(0)
theta = torch.full((N,), THETA, dtype=torch.float64, requires_grad=True)
estimates = {}
bias, standard_error, _ = measure("autodiff through the sample", per_pair_estimates())
print(f"predicted bias: -p' * (heads - tails) = {-missing_term:.4f}")
assert abs(bias + missing_term) < 4 * standard_error, f"bias {bias}, predicted {-missing_term}"
assert bias < -50 * standard_error, f"bias {bias} is not clearly negative"

# %%
# REINFORCE: a baseline must leave out the sample it scales
# ---------------------------------------------------------
# Adding ``(value - b).detach() * log_prob(z)`` adds the missing term in expectation, because
# ``E[b * d log p(z) / d theta] = 0`` for any ``b`` independent of this sample. The other
# sample of the pair (leave-one-out) is such a baseline: still unbiased, with a much smaller
# variance. The mean of the pair *including* the sample is not: it scales the missing term by
# ``1 - 1/2``, a bias of ``-p' * (heads - tails) / 2``.
baselines = {
    "REINFORCE, no baseline": lambda pair: torch.zeros_like(pair),
    "REINFORCE, mean of the pair": lambda pair: pair.mean(1, keepdim=True).expand(-1, 2),
    "REINFORCE, leave-one-out": lambda pair: pair.flip(1),
}
measured = {
    name: measure(name, per_pair_estimates(baseline)) for name, baseline in baselines.items()
}
for name in ["REINFORCE, no baseline", "REINFORCE, leave-one-out"]:
    bias, standard_error, _ = measured[name]
    assert abs(bias) < 3.5 * standard_error, f"{name}: bias {bias}, SE {standard_error}"
bias, standard_error, _ = measured["REINFORCE, mean of the pair"]
print(f"predicted bias of the pair mean: {-missing_term / 2:.4f}")
assert abs(bias + missing_term / 2) < 4 * standard_error, f"pair mean: bias {bias}"
variance_ratio = measured["REINFORCE, no baseline"][2] / measured["REINFORCE, leave-one-out"][2]
print(f"variance without / with the leave-one-out baseline: {variance_ratio:.1f}")
assert variance_ratio > 3, f"the baseline cut the variance only {variance_ratio:.1f}-fold"

# %%
# The Gumbel-softmax relaxation is biased at every temperature
# ------------------------------------------------------------
# ``RelaxedBernoulli`` replaces the coin by ``sigmoid((theta + L) / tau)`` with logistic noise
# ``L`` and differentiates that smooth path: an unbiased estimate of the gradient of a
# *different* expectation. That gradient is computed below without sampling (``L`` on a grid
# of 200,000 quantiles); its gap to the exact gradient is the bias, which shrinks as ``tau``
# falls while the sampled estimator's variance grows.
quantiles = (torch.arange(200_000, dtype=torch.float64) + 0.5) / 200_000
logistic_noise = torch.log(quantiles) - torch.log1p(-quantiles)
relaxed_bias, variances = {}, []
for tau in [3.0, 1.0, 0.3, 0.1]:
    relaxed_mean = value(torch.sigmoid((theta_scalar + logistic_noise) / tau), theta_scalar).mean()
    relaxed_bias[tau] = torch.autograd.grad(relaxed_mean, theta_scalar)[0].item() - exact
    z_relaxed = RelaxedBernoulli(torch.tensor(tau, dtype=torch.float64), logits=theta).rsample()
    (per_sample,) = torch.autograd.grad(value(z_relaxed, theta).sum(), theta)
    pairs = per_sample.reshape(-1, 2).mean(1)
    bias, standard_error, variance = measure(f"Gumbel-softmax, tau = {tau}", pairs)
    variances.append(variance)
    print(f"{'':32s} bias without sampling {relaxed_bias[tau]:.4f}, variance {variance:.3f}")
    assert abs(bias - relaxed_bias[tau]) < 4 * standard_error, f"tau {tau}: sampled bias {bias}"
    assert relaxed_bias[tau] < -1e-3, f"tau {tau}: relaxation bias {relaxed_bias[tau]}"
assert list(relaxed_bias.values()) == sorted(relaxed_bias.values()), f"bias {relaxed_bias}"
assert variances == sorted(variances), f"variances {variances} do not grow as tau falls"

# %%
# Estimate versus number of samples
# ---------------------------------
# Running means of the per-pair estimates. The unbiased estimators close in on the exact
# value; the biased ones close in on something else, and more samples only make the wrong
# answer more precise.
fig, ax = plt.subplots(figsize=(6.4, 4))
pairs_seen = np.arange(1, N // 2 + 1)
shown = np.unique(np.geomspace(20, N // 2, 200).astype(int)) - 1
for name in [*estimates][:4] + ["Gumbel-softmax, tau = 1.0"]:
    running_mean = np.cumsum(estimates[name].numpy()) / pairs_seen
    ax.plot(pairs_seen[shown], running_mean[shown], label=name)
ax.axhline(exact, color="black", ls="--", label=f"exact gradient {exact:.3f}")
ax.set(xscale="log", xlabel="number of pairs of samples", ylabel="estimate of d/dtheta E[value]")
ax.set_title("Gradient estimators for a random branch")
ax.legend(fontsize=7)
fig.tight_layout()

# %%
# JAX: explicit keys, the same estimators
# ---------------------------------------
# JAX has no hidden random state: ``jax.random.bernoulli`` takes a key, here one per sample.
# ``jax.grad`` of the sampled path sees the coin as a comparison of a uniform draw with ``p``,
# derivative zero, so it gives the same biased estimate; leave-one-out REINFORCE with
# ``stop_gradient`` in place of ``detach`` is unbiased.
pair_keys = jax.random.split(jax.random.key(1), N // 2)


def pair_estimate(t, key, use_score):
    z = jax.random.bernoulli(key, jax.nn.sigmoid(t), (2,)).astype(jnp.float32)
    log_prob = z * jax.nn.log_sigmoid(t) + (1 - z) * jax.nn.log_sigmoid(-t)
    path_value = value(z, t)
    leave_one_out = jax.lax.stop_gradient(path_value - path_value[::-1])
    return jnp.mean(path_value + use_score * leave_one_out * log_prob)


estimate_all = jax.jit(jax.vmap(jax.grad(pair_estimate), (None, 0, None)))
for name, use_score in [("autodiff through the sample", 0.0), ("REINFORCE, leave-one-out", 1.0)]:
    per_pair = np.asarray(estimate_all(THETA, pair_keys, use_score), dtype=np.float64)
    bias, standard_error, _ = measure(f"JAX {name}", torch.from_numpy(per_pair))
    expected_bias = -missing_term if use_score == 0.0 else 0.0
    assert abs(bias - expected_bias) < 4 * standard_error, f"JAX {name}: bias {bias}"
