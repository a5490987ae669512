"""
===============
Random branches
===============

A coin flip with probability ``p(theta) = sigmoid(theta)`` picks which of two
differentiable functions of ``theta`` is evaluated. Autodiff through the sampled path
returns the exact derivative of the branch that ran, but the derivative of the
*expected* value also depends on how ``p`` moves with ``theta``, which a sampled path
never shows. Below, the exact gradient of the expectation is computed by enumerating
both outcomes, and five estimators are measured against it over many seeded samples:
plain autodiff (biased), the score function (REINFORCE) without and with a baseline
(unbiased), and the Gumbel-softmax relaxation and straight-through estimator at several
temperatures (a bias-variance trade-off). See :doc:`/guide/best_practices` for when a
random branch needs an estimator.
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
# Heads (probability ``p = sigmoid(theta)``) gives ``12 - theta**2``, tails gives
# ``8 + theta``. The expected value ``p * heads + (1 - p) * tails`` is an ordinary function of
# ``theta``, so enumerating the two outcomes and differentiating gives the exact gradient:
#
# .. math::
#
#    \frac{d}{d\theta}\,\mathbb{E}[f] = p\,h'(\theta) + (1 - p)\,t'(\theta)
#    + p'(\theta)\,\bigl(h(\theta) - t(\theta)\bigr),
#
# where :math:`h` and :math:`t` are the heads and tails values. Autodiff through one sampled
# path sees only the first two terms.
theta0, N = 0.5, 100_000
heads, tails = (lambda t: 12 - t**2), (lambda t: 8 + t)


def value(z, t):  # the sampled path: z = 1 runs heads, z = 0 runs tails
    return z * heads(t) + (1 - z) * tails(t)


t = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
p = torch.sigmoid(t)
(exact,) = torch.autograd.grad(p * heads(t) + (1 - p) * tails(t), t)
exact = exact.item()
pv, dp = p.item(), p.item() * (1 - p.item())  # p and dp/dtheta
closed = dp * (heads(theta0) - tails(theta0)) + pv * (-2 * theta0) + (1 - pv) * 1.0
print(f"exact d/dtheta E[value] = {exact:.6f}   closed form: {closed:.6f}")
assert abs(exact - closed) < 1e-12

# %%
# ``sample`` versus ``rsample`` in ``torch.distributions``
# --------------------------------------------------------
# ``sample`` returns a value with no gradient path. A Bernoulli draw is discrete, so
# ``Bernoulli`` has no reparameterized ``rsample`` and raises ``NotImplementedError`` (with
# an empty message). ``RelaxedBernoulli`` (a continuous relaxation) has ``rsample`` and
# passes a gradient to its logits.
torch.manual_seed(0)
z = Bernoulli(logits=t).sample()
print("Bernoulli.sample:", z.item(), " grad_fn:", z.grad_fn)
try:
    Bernoulli(logits=t).rsample()
except NotImplementedError as e:
    err = e
print("Bernoulli.rsample:", type(err).__name__, repr(str(err)))
print("has_rsample: Bernoulli", Bernoulli.has_rsample,
      " RelaxedBernoulli", RelaxedBernoulli.has_rsample)
assert isinstance(err, NotImplementedError) and z.grad_fn is None and not Bernoulli.has_rsample
zr = RelaxedBernoulli(torch.tensor(0.5, dtype=torch.float64), logits=t).rsample()
(g,) = torch.autograd.grad(zr, t)
print(f"RelaxedBernoulli.rsample: {zr.item():.4f}  d/dtheta: {g.item():.4f}")
assert g.item() > 0


# %%
# Autodiff through the sampled path: exact for the path, biased for the expectation
# ---------------------------------------------------------------------------------
# One copy of ``theta`` per sample lets one ``backward`` return all per-sample gradients.
# Each equals the derivative of the branch that ran (``-2 * theta`` or ``1``), exactly. Their
# mean converges to ``p * heads' + (1 - p) * tails'``, which misses the term
# ``p'(theta) * (heads - tails)``: the bias below is that term, and here the sign is wrong.
def summary(name, g):  # mean, standard error, bias and variance of per-sample estimates
    m, var = g.mean().item(), g.var().item()
    se = math.sqrt(var / len(g))
    print(f"{name:34s} mean {m:8.4f}  bias {m - exact:8.4f}  ({(m - exact) / se:7.1f} SE)"
          f"  SE {se:.4f}  variance {var:7.4f}")
    return m, se, var


torch.manual_seed(0)
theta = torch.full((N,), theta0, dtype=torch.float64, requires_grad=True)
z = Bernoulli(logits=theta).sample()
(g_naive,) = torch.autograd.grad(value(z, theta).sum(), theta)
torch.testing.assert_close(g_naive, torch.where(z == 1, -2 * theta0, 1.0).double())
m, se, _ = summary("autodiff through the sample", g_naive)
predicted_bias = -dp * (heads(theta0) - tails(theta0))
print(f"predicted bias -p' * (heads - tails) = {predicted_bias:.4f}")
assert abs(m - exact) > 50 * se and m * exact < 0 and abs(m - exact - predicted_bias) < 4 * se

# %%
# Score function (REINFORCE), without and with a baseline
# -------------------------------------------------------
# Adding ``(value - b).detach() * log_prob(z)`` to the sampled value adds the missing term in
# expectation, since ``E[d log p(z) / d theta] = 0`` makes any ``b`` that does not depend on
# this sample unbiased. Here ``b`` is the mean value of 1000 separate draws; it cuts the
# variance because ``value`` is large compared with its spread.
estimates = {"autodiff through the sample": g_naive}
zb = Bernoulli(logits=torch.full((1000,), theta0, dtype=torch.float64)).sample()
b = value(zb, theta0).mean().item()
print(f"baseline b = {b:.4f}   (E[value] = {pv * heads(theta0) + (1 - pv) * tails(theta0):.4f})")
for name, base in [("REINFORCE", 0.0), ("REINFORCE with baseline", b)]:
    dist = Bernoulli(logits=theta)
    z = dist.sample()
    v = value(z, theta)
    surrogate = v + (v.detach() - base) * dist.log_prob(z)
    (estimates[name],) = torch.autograd.grad(surrogate.sum(), theta)
    m, se, var = summary(name, estimates[name])
    assert abs(m - exact) < 3.5 * se
var_plain = estimates["REINFORCE"].var().item()
var_base = estimates["REINFORCE with baseline"].var().item()
print(f"variance ratio without / with baseline: {var_plain / var_base:.2f}")
assert var_base < var_plain / 4

# %%
# Gumbel-softmax relaxation and straight-through, by temperature
# --------------------------------------------------------------
# The relaxation replaces the coin by ``sigmoid((theta + logistic noise) / tau)`` (torch's
# ``RelaxedBernoulli``) and differentiates that smooth path. Straight-through evaluates the
# coin ``z > 0.5`` (an exact Bernoulli draw) in the forward pass and uses the relaxed
# gradient in the backward pass. Both are biased (clearly so at the larger temperatures
# below); as ``tau`` falls the relaxation's bias shrinks and its variance grows.
rows = {}
for tau in [3.0, 1.0, 0.3, 0.1]:
    temp = torch.tensor(tau, dtype=torch.float64)
    gumbel, st = f"Gumbel-softmax tau={tau}", f"straight-through tau={tau}"
    zs = RelaxedBernoulli(temp, logits=theta).rsample()
    (estimates[gumbel],) = torch.autograd.grad(value(zs, theta).sum(), theta)
    zs = RelaxedBernoulli(temp, logits=theta).rsample()
    z_st = (zs > 0.5).double() + zs - zs.detach()  # hard forward, relaxed backward
    (estimates[st],) = torch.autograd.grad(value(z_st, theta).sum(), theta)
    rows[tau] = summary(gumbel, estimates[gumbel])
    summary(st, estimates[st])
bias = {tau: abs(r[0] - exact) for tau, r in rows.items()}
assert bias[3.0] > bias[1.0] > bias[0.3] and bias[0.1] < 0.05 and bias[3.0] > 50 * rows[3.0][1]
assert rows[3.0][2] < rows[1.0][2] < rows[0.3][2] < rows[0.1][2]

# %%
# Estimate versus number of samples
# ---------------------------------
# Running means of the per-sample estimates with a band of one standard error. The unbiased
# estimators close in on the exact value; the biased ones close in on something else, and more
# samples only make the wrong answer more precise.
n = np.arange(1, N + 1)
fig, ax = plt.subplots(figsize=(6.4, 4))
for name in ["autodiff through the sample", "REINFORCE", "REINFORCE with baseline",
             "Gumbel-softmax tau=1.0"]:
    g = estimates[name].numpy()
    mean = np.cumsum(g) / n
    se = np.sqrt(np.maximum(np.cumsum(g**2) / n - mean**2, 0) / n)
    idx = np.unique(np.geomspace(20, N, 200).astype(int)) - 1
    ax.plot(n[idx], mean[idx], label=name)
    ax.fill_between(n[idx], mean[idx] - se[idx], mean[idx] + se[idx], alpha=0.25)
ax.axhline(exact, color="black", ls="--", label=f"exact gradient {exact:.3f}")
ax.set_xscale("log")
ax.set_xlabel("number of samples")
ax.set_ylabel("estimate of d/dtheta E[value]")
ax.set_title("Gradient estimators for a random branch (band: 1 SE)")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# JAX: explicit keys
# ------------------
# JAX has no hidden random state: ``jax.random.bernoulli`` takes a key, the same key gives
# the same sample, and ``jax.random.split`` makes new independent keys.
key = jax.random.key(0)
s1, s2 = jax.random.bernoulli(key, 0.6, (10,)), jax.random.bernoulli(key, 0.6, (10,))
s3 = jax.random.bernoulli(jax.random.split(key)[0], 0.6, (10,))
print("same key, twice:", s1.astype(int), s2.astype(int))
print("a split key:    ", s3.astype(int))
assert (s1 == s2).all() and not (s1 == s3).all()

# %%
# JAX: the same estimators, one key per sample
# ---------------------------------------------
# ``jax.grad`` of the sampled path sees ``bernoulli(key, sigmoid(theta))`` as a comparison of
# a uniform draw with ``p``, which has derivative zero, so it gives the same biased estimate.
# REINFORCE with ``stop_gradient`` in place of ``detach`` agrees with the exact value.
exact_jax = jax.grad(lambda t: jax.nn.sigmoid(t) * heads(t) + jax.nn.sigmoid(-t) * tails(t))(theta0)
keys = jax.random.split(jax.random.key(1), N)


def naive(t, key):
    return value(jax.random.bernoulli(key, jax.nn.sigmoid(t)).astype(jnp.float32), t)


def reinforce(t, key, base):
    z = jax.random.bernoulli(key, jax.nn.sigmoid(t)).astype(jnp.float32)
    log_prob = z * jax.nn.log_sigmoid(t) + (1 - z) * jax.nn.log_sigmoid(-t)
    v = value(z, t)
    return v + jax.lax.stop_gradient(v - base) * log_prob


print(f"jax {jax.__version__}: exact gradient {float(exact_jax):.6f}")
assert abs(float(exact_jax) - exact) < 1e-5
naive_all = jax.jit(jax.vmap(jax.grad(naive), (None, 0)))
reinforce_all = jax.jit(jax.vmap(jax.grad(reinforce), (None, 0, None)))
g = np.asarray(naive_all(theta0, keys), dtype=np.float64)
m, se, _ = summary("jax autodiff through the sample", torch.from_numpy(g))
assert abs(m - exact) > 50 * se and abs(m - exact - predicted_bias) < 4 * se
g = np.asarray(reinforce_all(theta0, keys, b), dtype=np.float64)
m, se, _ = summary("jax REINFORCE with baseline", torch.from_numpy(g))
assert abs(m - exact) < 3.5 * se
