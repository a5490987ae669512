"""
=====================================
Gradients through for and while loops
=====================================

A loop is unrolled as it runs: every iteration that executes adds its operations to the
computation, and the chain rule multiplies their derivatives. This example checks a fixed
``for`` loop, ``break``, ``continue`` and an early ``return``, then a ``while`` loop whose
number of iterations depends on the input, in PyTorch and in JAX. The last one is worth a
close look: its gradient is right everywhere it exists, yet the function it differentiates
jumps. The guide page :doc:`/guide/control_flow` walks through the whole series.
"""

# %%
# A fixed number of iterations
# ----------------------------
# ``doubled(x, n)`` doubles ``x`` ``n`` times, so its gradient is ``2**n``: one factor of
# ``2`` per iteration. The same Python function runs on a PyTorch tensor and under
# ``jax.grad``; ``n`` is a plain integer, so ``range(n)`` works in both.
import math
from collections import Counter

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch


def doubled(x, n):
    y = x
    for _ in range(n):
        y = y * 2
    return y


print(f"{'n':>2} {'PyTorch':>8} {'JAX':>8} {'2**n':>6}")
for n in range(7):
    x = torch.tensor(1.0, requires_grad=True)
    doubled(x, n).backward()
    jax_grad = float(jax.grad(doubled)(1.0, n))
    print(f"{n:>2} {x.grad.item():>8} {jax_grad:>8} {2**n:>6}")
    np.testing.assert_allclose(x.grad.item(), 2**n, err_msg=f"PyTorch, n={n}")
    np.testing.assert_allclose(jax_grad, 2**n, err_msg=f"JAX, n={n}")

# %%
# ``break``, ``continue`` and an early ``return``
# -----------------------------------------------
# ``power_until`` multiplies by ``x`` until the product exceeds ``100``, then leaves the
# loop with ``break``. It returns ``x**m`` with ``m = floor(log(100) / log(x)) + 1``, so its
# gradient is ``m * x**(m - 1)``, and ``m`` depends on ``x``. ``squares_of_nonnegative``
# uses ``continue`` to skip negative entries, which therefore get gradient zero.
# ``first_positive`` returns at the first positive entry ``v[i]`` with
# ``(i + 1) * v[i]**2``: entries after it are never read, and get gradient zero too.


def power_until(x, limit=100.0):
    y = x
    for _ in range(50):
        if y > limit:
            break
        y = y * x
    return y


for x_value in (1.5, 3.0, 5.0):
    m = math.floor(math.log(100.0) / math.log(x_value)) + 1
    closed_form = m * x_value ** (m - 1)
    x = torch.tensor(x_value, requires_grad=True)
    power_until(x).backward()
    jax_grad = float(jax.grad(power_until)(x_value))
    print(
        f"break at x={x_value}: m={m:2}, PyTorch {x.grad.item():8.2f}, "
        f"JAX {jax_grad:8.2f}, closed form {closed_form:8.2f}"
    )
    np.testing.assert_allclose(x.grad.item(), closed_form, rtol=1e-4, err_msg=f"PyTorch {x_value}")
    np.testing.assert_allclose(jax_grad, closed_form, rtol=1e-4, err_msg=f"JAX {x_value}")


def squares_of_nonnegative(v):
    total = 0.0
    for entry in v:
        if entry < 0:
            continue
        total = total + entry**2
    return total


def first_positive(v):
    for i, entry in enumerate(v):
        if entry > 0:
            return (i + 1) * entry**2
    return 0 * v.sum()


v_values = [-1.0, -0.5, 2.0, 3.0]
for f, closed_form in [
    (squares_of_nonnegative, [0.0, 0.0, 2 * 2.0, 2 * 3.0]),  # 2 * v[i] where v[i] >= 0
    (first_positive, [0.0, 0.0, 2 * 3 * 2.0, 0.0]),  # 2 * (i + 1) * v[i] at i = 2 only
]:
    v = torch.tensor(v_values, requires_grad=True)
    f(v).backward()
    jax_grad = jax.grad(f)(jnp.array(v_values))
    print(
        f"{f.__name__}: PyTorch {v.grad.tolist()}, JAX {jax_grad.tolist()}, "
        f"closed form {closed_form}"
    )
    np.testing.assert_allclose(v.grad.numpy(), closed_form, err_msg=f"PyTorch {f.__name__}")
    np.testing.assert_allclose(jax_grad, closed_form, atol=1e-6, err_msg=f"JAX {f.__name__}")

# %%
# A ``while`` loop whose iteration count depends on the input
# -----------------------------------------------------------
# ``grow`` keeps doubling ``x`` until its norm reaches ``10`` (the loop tests the squared
# norm ``x @ x`` against ``10**2``, one operation fewer). After ``k`` doublings it
# returns ``2**k * x``, so the gradient of the sum of its output is ``2**k`` in every entry,
# the scale of the path taken. Below this is checked on 100 random 3-vectors whose norms
# span several orders of magnitude, in both frameworks; the first rows and the count of
# each ``k`` show that the number of iterations changes with the input.


def grow(x, bound=10.0):
    steps = 0
    while x @ x < bound**2:
        x = 2 * x
        steps += 1
    return x, steps


def total_and_steps(x):
    y, steps = grow(x)
    return y.sum(), steps


torch.manual_seed(0)
inputs = torch.randn(100, 3) * 10 ** torch.empty(100, 1).uniform_(-2.0, 1.0)
torch_steps, jax_steps = [], []
print(f"{'norm':>8} {'k':>3} {'PyTorch':>8} {'JAX':>8} {'2**k':>6}")
for row, x_row in enumerate(inputs):
    x = x_row.clone().requires_grad_(True)
    total, k = total_and_steps(x)
    total.backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 2.0**k), err_msg=f"PyTorch row {row}")
    jax_grad, jax_k = jax.grad(total_and_steps, has_aux=True)(jnp.asarray(x_row.numpy()))
    np.testing.assert_allclose(
        jax_grad, np.full(3, 2.0**jax_k), rtol=1e-6, err_msg=f"JAX row {row}"
    )
    torch_steps.append(k)
    jax_steps.append(jax_k)
    if row < 6:
        print(
            f"{x_row.norm().item():8.4f} {k:>3} {x.grad[0].item():>8} "
            f"{float(jax_grad[0]):>8} {2**k:>6}"
        )

print(f"checked {len(inputs)} inputs; how many inputs ran k iterations, as (k, count):")
print(sorted(Counter(torch_steps).items()))
assert torch_steps == jax_steps, "PyTorch and JAX ran different iteration counts"
assert len(set(torch_steps)) >= 5, f"only iteration counts {sorted(set(torch_steps))}"

# %%
# What ``grow`` is: linear pieces with jumps
# ------------------------------------------
# ``grow`` is linear on each region where the iteration count is constant (the inputs whose
# norm lies in ``[10 / 2**k, 10 / 2**(k - 1))`` are mapped by ``x -> 2**k * x``) and it is
# discontinuous where the count changes. For a scalar input the boundaries are ``10 / 2**k``.
# Just below ``2.5`` the loop runs three times, at ``2.5`` only twice, so the output falls
# from about ``20`` to ``10`` while both gradients report only the slope of their own piece.
for x_value, k in [(2.499, 3), (2.5, 2)]:
    x = torch.tensor([x_value], requires_grad=True)
    y, torch_k = grow(x)
    y.sum().backward()
    jax_grad, jax_k = jax.grad(total_and_steps, has_aux=True)(jnp.array([x_value]))
    print(
        f"x={x_value}: k={torch_k}, grow(x)={y.item():.4f} (closed form {2**k * x_value:.4f}), "
        f"PyTorch {x.grad.item()}, JAX {float(jax_grad[0])} (closed form {2**k})"
    )
    assert torch_k == jax_k == k, f"x={x_value}: k {torch_k} (PyTorch), {jax_k} (JAX), not {k}"
    np.testing.assert_allclose(y.item(), 2**k * x_value, rtol=1e-6, err_msg=f"grow({x_value})")
    np.testing.assert_allclose(x.grad.item(), 2**k, err_msg=f"PyTorch at {x_value}")
    np.testing.assert_allclose(float(jax_grad[0]), 2**k, err_msg=f"JAX at {x_value}")

xs = np.linspace(0.5, 12.0, 600)
ys, ks = zip(*[(y.item(), k) for y, k in (grow(torch.tensor([s])) for s in xs)])
ys = np.array(ys)
ys[1:][np.diff(ks) != 0] = np.nan  # break the line where the count changes
print(f"iteration counts along the plotted range: {sorted(set(ks))}")
assert sorted(set(ks)) == [0, 1, 2, 3, 4, 5], f"iteration counts {sorted(set(ks))}"
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot(xs, ys, label="grow(x), scalar x")
ax.vlines(10 / 2 ** np.arange(5), 9, 23, colors="gray", linestyles=":", label="x = 10 / 2**k")
ax.set(xlabel="x", ylabel="grow(x)", ylim=(9, 23))
ax.set_title("Slope 2**k on each piece; a jump wherever the count k changes")
ax.legend(loc="upper center", ncol=2, fontsize="small")
fig.tight_layout()
