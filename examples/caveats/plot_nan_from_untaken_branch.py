"""
=============================
NaN from the branch not taken
=============================

``where(x > 0, sqrt(x), 0)`` returns a finite value everywhere, yet its gradient is NaN
for inputs in the region where the ``sqrt`` branch was *not* selected. This example shows
it in PyTorch and JAX, prints the infinite (or NaN) local derivative that causes it,
and shows the fixes: the double ``where`` (a safe input inside the untaken branch),
masking a divisor before the division rather than after it, and a structured
conditional that only differentiates the branch it runs. See
:doc:`/guide/best_practices` for the rule of thumb.
"""

import math

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch

torch._dynamo.reset()  # torch.cond below goes through the compiler stack

# %%
# The NaN (PyTorch)
# -----------------
# At ``x = -1`` and ``x = 0`` the selected branch is the constant 0, so the function is flat
# there, but the gradient is NaN. The ``log`` variant is NaN at ``x = 0`` only: at ``x = -1``
# it gives ``-0.0``, because the derivative of ``log`` there, ``1/x = -1``, is finite even
# though ``log(-1)`` itself is NaN.
x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True)
(g_sqrt,) = torch.autograd.grad(torch.where(x > 0, torch.sqrt(x), 0.0).sum(), x)
(g_log,) = torch.autograd.grad(torch.where(x > 0, torch.log(x), 0.0).sum(), x)
print("x:                           ", x.tolist())
print("grad of where(x>0, sqrt x, 0):", g_sqrt.tolist(), "  expected [0, 0, 0.25]")
print("grad of where(x>0, log x, 0): ", g_log.tolist(), "  expected [0, 0, 0.25]")
assert torch.isnan(g_sqrt[:2]).all() and abs(g_sqrt[2] - 0.25) < 1e-6
assert abs(g_log[0]) < 1e-6 and torch.isnan(g_log[1]) and abs(g_log[2] - 0.25) < 1e-6

# %%
# Why: zero times infinity
# ------------------------
# Both branches are computed for every element. The backward pass of ``where`` sends the
# incoming gradient to the selected branch and a zero to the other, and the untaken branch's
# backward multiplies that zero by its local derivative. That local derivative is infinite at
# 0 for both functions and NaN for ``sqrt`` at -1; ``0 * inf`` and ``0 * nan`` are NaN.
(d_sqrt,) = torch.autograd.grad(torch.sqrt(x).sum(), x)
(d_log,) = torch.autograd.grad(torch.log(x).sum(), x)
zero_times_inf = torch.tensor(0.0) * torch.tensor(math.inf)
print("local derivative of sqrt:", d_sqrt.tolist())
print("local derivative of log: ", d_log.tolist())
print("0 * inf =", zero_times_inf.item())
assert torch.isnan(d_sqrt[0]) and torch.isinf(d_sqrt[1]) and torch.isinf(d_log[1])
assert abs(d_log[0] + 1) < 1e-6 and torch.isnan(zero_times_inf)

# %%
# The fix: a double ``where``
# ---------------------------
# Give the untaken branch an input where it is harmless (here 1.0), then select as before.
# The value is unchanged, the untaken branch's local derivative is now finite, and the
# gradient is 0 where the constant branch was selected.
safe = torch.where(x > 0, x, 1.0)
y_sqrt = torch.where(x > 0, torch.sqrt(safe), 0.0)
y_log = torch.where(x > 0, torch.log(safe), 0.0)
(g_fixed,) = torch.autograd.grad(y_sqrt.sum(), x, retain_graph=True)
(g_log_fixed,) = torch.autograd.grad(y_log.sum(), x)
print("double where, sqrt:", g_fixed.tolist(), "  expected [0, 0, 0.25]")
print("double where, log: ", g_log_fixed.tolist(), "  expected [0, 0, 0.25]")
torch.testing.assert_close(g_fixed, torch.tensor([0.0, 0.0, 0.25]))
torch.testing.assert_close(g_log_fixed, torch.tensor([0.0, 0.0, 0.25]))

# %%
# Masking a division: before, not after
# -------------------------------------
# For ``a / b`` with some ``b == 0``, masking the result afterwards gives NaN gradients for
# both operands at the masked entry (a multiplicative mask is worse: ``inf * 0`` is NaN in the
# value itself). Replacing the divisor by a safe value before dividing fixes both.
a = torch.tensor([3.0, 4.0], requires_grad=True)
b = torch.tensor([0.0, 2.0], requires_grad=True)
after = torch.where(b != 0, a / b, 0.0)
ga, gb = torch.autograd.grad(after.sum(), (a, b))
mult = a / b * (b != 0)
print("mask after:  value", after.tolist(), " d/da", ga.tolist(), " d/db", gb.tolist())
print("multiply by mask: value", mult.tolist())
assert torch.isnan(ga[0]) and torch.isnan(gb[0]) and torch.isnan(mult[0])
before = torch.where(b != 0, a / torch.where(b != 0, b, 1.0), 0.0)
ga, gb = torch.autograd.grad(before.sum(), (a, b))
print("mask before: value", before.tolist(), " d/da", ga.tolist(), " d/db", gb.tolist())
torch.testing.assert_close(ga, torch.tensor([0.0, 0.5]))
torch.testing.assert_close(gb, torch.tensor([0.0, -1.0]))  # -a/b**2 = -4/4

# %%
# A conditional on a scalar has no untaken branch (PyTorch)
# ---------------------------------------------------------
# ``torch.cond`` (a prototype API in the pinned torch) runs only the branch its scalar
# predicate selects, like a Python ``if``, so only that branch is differentiated. In eager mode
# the pinned torch runs ``torch.cond`` through ``torch.compile`` (Dynamo), which is why this
# script calls ``torch._dynamo.reset()`` first.
for v in [-1.0, 0.0, 4.0]:
    s = torch.tensor(v, requires_grad=True)
    out = torch.cond(s > 0, lambda t: torch.sqrt(t), lambda t: torch.zeros_like(t), (s,))
    (g,) = torch.autograd.grad(out, s)
    print(f"torch.cond at x = {v:4}: grad {g.item():.4f}   expected {0.25 if v > 0 else 0.0}")
    assert abs(g.item() - (0.25 if v > 0 else 0.0)) < 1e-6

# %%
# JAX: the same NaN, the same fixes
# ---------------------------------
# ``jnp.where`` behaves like ``torch.where``: NaN from the single ``where``, 0 from the double
# one. ``jax.lax.cond`` on a scalar evaluates only the selected branch. Under ``vmap`` a
# ``lax.cond`` becomes a select that computes both branches; in the pinned JAX its gradient is
# still 0 here (asserted below, so a change in a new release would fail this page).
xj = np.array([-1.0, 0.0, 4.0], dtype=np.float32)
print("jax", jax.__version__)


def sqrt_where(x):
    return jnp.where(x > 0, jnp.sqrt(x), 0.0)


def log_where(x):
    return jnp.where(x > 0, jnp.log(x), 0.0)


def sqrt_double_where(x):
    return jnp.where(x > 0, jnp.sqrt(jnp.where(x > 0, x, 1.0)), 0.0)


def sqrt_cond(x):  # x is a scalar: lax.cond runs one branch
    return jax.lax.cond(x > 0, jnp.sqrt, jnp.zeros_like, x)


def elementwise_grad(f):  # d f(x_i) / d x_i for each entry, compiled once
    return jax.jit(jax.vmap(jax.grad(f)))


g1, g2 = np.asarray(elementwise_grad(sqrt_where)(xj)), np.asarray(elementwise_grad(log_where)(xj))
print("local derivative of sqrt:", elementwise_grad(jnp.sqrt)(xj),
      "  of log:", elementwise_grad(jnp.log)(xj))
print("single where, sqrt:", g1, "  log:", g2)
assert np.isnan(g1[:2]).all() and abs(g2[0]) < 1e-6 and np.isnan(g2[1])
g3 = elementwise_grad(sqrt_double_where)(xj)
grad_cond = jax.jit(jax.grad(sqrt_cond))
g4 = np.array([grad_cond(v) for v in xj])
g5 = elementwise_grad(sqrt_cond)(xj)
print("double where:", g3, "  lax.cond per scalar:", g4, "  vmap of lax.cond:", g5)
for g in (g3, g4, g5):
    np.testing.assert_allclose(g, [0.0, 0.0, 0.25], atol=1e-7)

# %%
# The whole untaken region
# ------------------------
# The NaN is not confined to the boundary: every ``x < 0`` gives NaN with the single
# ``where`` (drawn as crosses at 0, since NaN has no height) and 0 with the fix.
grid = np.linspace(-2.0, 2.0, 80, dtype=np.float32)
naive = np.asarray(elementwise_grad(sqrt_where)(grid))
fixed = np.asarray(elementwise_grad(sqrt_double_where)(grid))
assert np.isnan(naive[grid <= 0]).all() and not np.isnan(naive[grid > 0]).any()
print("NaN gradients on the grid, single / double where:", int(np.isnan(naive).sum()),
      "/", int(np.isnan(fixed).sum()), " (grid points with x <= 0:", int((grid <= 0).sum()), ")")
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot(grid, np.sqrt(np.maximum(grid, 0)), color="gray", label="value where(x>0, sqrt x, 0)")
ax.plot(grid, fixed, lw=2, label="gradient, double where")
ax.plot(grid, naive, "--", label="gradient, single where (finite part)")
ax.plot(grid[np.isnan(naive)], 0 * grid[np.isnan(naive)], "rx", ms=4, label="single where: NaN")
ax.set_ylim(-0.5, 2.5)
ax.set_xlabel("x")
ax.set_ylabel("value / gradient")
ax.set_title("Gradient of where(x > 0, sqrt(x), 0)")
ax.legend(loc="upper left")
fig.tight_layout()
