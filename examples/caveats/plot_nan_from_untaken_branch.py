"""
=============================
NaN from the branch not taken
=============================

``where(x > 0, sqrt(x), 0)`` returns a finite value everywhere, yet its gradient is NaN for
inputs in the region where the ``sqrt`` branch was *not* selected. This example shows it in
PyTorch and JAX, prints the infinite (or NaN) local derivative that causes it, and shows the
fixes: the double ``where`` (a safe input inside the untaken branch), masking a divisor before
the division rather than after it, and a structured conditional that only differentiates the
branch it runs. See :doc:`/guide/best_practices` for the rule of thumb.
"""

import math

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch

torch._dynamo.reset()  # torch.cond below goes through the compiler stack
nan = math.nan

# %%
# The NaN (PyTorch)
# -----------------
# At ``x = -1`` and ``x = 0`` the selected branch is the constant 0, so the function is flat
# there, but the gradient is NaN. The ``log`` variant is NaN at ``x = 0`` only: at ``x = -1``
# it gives ``-0.0``, because the derivative of ``log`` there, ``1/x = -1``, is finite even
# though ``log(-1)`` itself is NaN.
x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True)
(grad_sqrt,) = torch.autograd.grad(torch.where(x > 0, torch.sqrt(x), 0.0).sum(), x)
(grad_log,) = torch.autograd.grad(torch.where(x > 0, torch.log(x), 0.0).sum(), x)
print("x:                            ", x.tolist())
print("grad of where(x>0, sqrt x, 0):", grad_sqrt.tolist(), "  the function's slope: [0, 0, 0.25]")
print("grad of where(x>0, log x, 0): ", grad_log.tolist(), "  the function's slope: [0, 0, 0.25]")
np.testing.assert_equal(grad_sqrt.numpy(), [nan, nan, 0.25], err_msg="single where, sqrt")
np.testing.assert_equal(grad_log.numpy(), [-0.0, nan, 0.25], err_msg="single where, log")

# %%
# Why: zero times infinity
# ------------------------
# Both branches are computed for every element. The backward pass of ``where`` sends the
# incoming gradient to the selected branch and a zero to the other, and the untaken branch's
# backward multiplies that zero by its local derivative. That local derivative is infinite at
# 0 for both functions and NaN for ``sqrt`` at -1; ``0 * inf`` and ``0 * nan`` are NaN.
(local_sqrt,) = torch.autograd.grad(torch.sqrt(x).sum(), x)
(local_log,) = torch.autograd.grad(torch.log(x).sum(), x)
zero_times_inf = (torch.tensor(0.0) * torch.tensor(math.inf)).item()
print("local derivative of sqrt:", local_sqrt.tolist())
print("local derivative of log: ", local_log.tolist())
print("0 * inf =", zero_times_inf)
np.testing.assert_equal(local_sqrt.numpy(), [nan, math.inf, 0.25], err_msg="sqrt'")
np.testing.assert_equal(local_log.numpy(), [-1.0, math.inf, 0.25], err_msg="log'")
assert math.isnan(zero_times_inf), f"0 * inf = {zero_times_inf}"

# %%
# The fix: a double ``where``
# ---------------------------
# Give the untaken branch an input where it is harmless (here 1.0), then select as before.
# The value is unchanged, the untaken branch's local derivative is now finite, and the
# gradient is 0 where the constant branch was selected.
for name, branch in [("sqrt", torch.sqrt), ("log", torch.log)]:
    safe = torch.where(x > 0, x, 1.0)
    (fixed,) = torch.autograd.grad(torch.where(x > 0, branch(safe), 0.0).sum(), x)
    print(f"double where, {name}:", fixed.tolist())
    np.testing.assert_equal(fixed.numpy(), [0.0, 0.0, 0.25], err_msg=f"double where, {name}")

# %%
# Masking a division: before, not after
# -------------------------------------
# For ``a / b`` with some ``b == 0``, masking the result afterwards gives NaN gradients for
# both operands at the masked entry (a multiplicative mask is worse: ``inf * 0`` is NaN in the
# value itself). Replacing the divisor by a safe value before dividing fixes both.
a = torch.tensor([3.0, 4.0], requires_grad=True)
b = torch.tensor([0.0, 2.0], requires_grad=True)
masked_products = {
    "mask after": torch.where(b != 0, a / b, 0.0),
    "multiply by mask": a / b * (b != 0),
    "mask before": torch.where(b != 0, a / torch.where(b != 0, b, 1.0), 0.0),
}
expected = {  # value, d/da, d/db; d/db = -a / b**2 = -1 at the second entry
    "mask after": ([0.0, 2.0], [nan, 0.5], [nan, -1.0]),
    "multiply by mask": ([nan, 2.0], [nan, 0.5], [nan, -1.0]),
    "mask before": ([0.0, 2.0], [0.0, 0.5], [0.0, -1.0]),
}
for name, masked in masked_products.items():
    grad_a, grad_b = torch.autograd.grad(masked.sum(), (a, b))
    print(f"{name:>16}: value {masked.tolist()}, d/da {grad_a.tolist()}, d/db {grad_b.tolist()}")
    got = [masked.detach().numpy(), grad_a.numpy(), grad_b.numpy()]
    np.testing.assert_equal(got, expected[name], err_msg=name)

# %%
# A conditional on a scalar has no untaken branch (PyTorch)
# ---------------------------------------------------------
# ``torch.cond`` (a prototype API in torch |torch_version|) runs only the branch its scalar
# predicate selects, like a Python ``if``, so only that branch is differentiated. In eager
# mode torch |torch_version| runs ``torch.cond`` through ``torch.compile`` (Dynamo), which is
# why this script calls ``torch._dynamo.reset()`` first.
cond_gradients = []
for point in [-1.0, 0.0, 4.0]:
    scalar = torch.tensor(point, requires_grad=True)
    out = torch.cond(scalar > 0, torch.sqrt, torch.zeros_like, (scalar,))
    cond_gradients.append(torch.autograd.grad(out, scalar)[0].item())
print("torch.cond at x = -1, 0, 4:", cond_gradients)
np.testing.assert_equal(cond_gradients, [0.0, 0.0, 0.25], err_msg="torch.cond")

# %%
# JAX: the same NaN, the same fixes
# ---------------------------------
# ``jnp.where`` behaves like ``torch.where``: NaN from the single ``where``, 0 from the double
# one. ``jax.lax.cond`` on a scalar evaluates only the selected branch. Under ``vmap`` a
# ``lax.cond`` with a batched predicate becomes a select that computes both branches; in
# JAX |jax_version| its gradient is still 0 here (asserted below, so a change would fail this
# page).
points = np.array([-1.0, 0.0, 4.0], dtype=np.float32)
print("jax", jax.__version__)
variants = {
    "local derivative of sqrt": jnp.sqrt,
    "local derivative of log": jnp.log,
    "single where, sqrt": lambda x: jnp.where(x > 0, jnp.sqrt(x), 0.0),
    "single where, log": lambda x: jnp.where(x > 0, jnp.log(x), 0.0),
    "double where, sqrt": lambda x: jnp.where(x > 0, jnp.sqrt(jnp.where(x > 0, x, 1.0)), 0.0),
    "vmap of lax.cond": lambda x: jax.lax.cond(x > 0, jnp.sqrt, jnp.zeros_like, x),
}
expected_jax = [[nan, math.inf, 0.25], [-1.0, math.inf, 0.25], [nan, nan, 0.25], [-0.0, nan, 0.25]]
expected_jax += [[0.0, 0.0, 0.25]] * 2
for (name, fn), want in zip(variants.items(), expected_jax):
    gradients = np.asarray(jax.jit(jax.vmap(jax.grad(fn)))(points))  # d fn(x_i) / d x_i
    print(f"{name:>24}: {gradients}")
    np.testing.assert_equal(gradients, np.float32(want), err_msg=name)
grad_cond = jax.jit(jax.grad(variants["vmap of lax.cond"]))
per_scalar = [float(grad_cond(point)) for point in points]
print(f"{'lax.cond per scalar':>24}: {per_scalar}")
np.testing.assert_equal(per_scalar, [0.0, 0.0, 0.25], err_msg="lax.cond per scalar")

# %%
# The whole untaken region
# ------------------------
# The NaN is not confined to the boundary: every ``x <= 0`` gives NaN with the single
# ``where`` (drawn as crosses at 0, since NaN has no height) and 0 with the fix.
grid = np.linspace(-2.0, 2.0, 80, dtype=np.float32)
single = np.asarray(jax.vmap(jax.grad(variants["single where, sqrt"]))(grid))
double = np.asarray(jax.vmap(jax.grad(variants["double where, sqrt"]))(grid))
nan_counts = {
    "x <= 0": grid <= 0,
    "NaN, single where": np.isnan(single),
    "NaN, double where": np.isnan(double),
}
print("points on the grid:", {name: int(mask.sum()) for name, mask in nan_counts.items()})
np.testing.assert_array_equal(np.isnan(single), grid <= 0, err_msg="NaN exactly where x <= 0")
assert not np.isnan(double).any(), f"double where: {int(np.isnan(double).sum())} NaN"
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot(grid, np.sqrt(np.maximum(grid, 0)), color="gray", label="value where(x>0, sqrt x, 0)")
ax.plot(grid, double, lw=2, label="gradient, double where")
ax.plot(grid, single, "--", label="gradient, single where (finite part)")
ax.plot(grid[np.isnan(single)], 0 * grid[np.isnan(single)], "rx", ms=4, label="single where: NaN")
ax.set(ylim=(-0.5, 2.5), xlabel="x", ylabel="value / gradient")
ax.set_title("Gradient of where(x > 0, sqrt(x), 0)")
ax.legend(loc="upper left")
fig.tight_layout()
