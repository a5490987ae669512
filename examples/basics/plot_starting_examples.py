"""
======================================================
A branch and a loop, differentiated in PyTorch and JAX
======================================================

Two tiny programs carry the whole idea of this site. The first picks between ``x * x`` and
``x + 2`` with an ``if``; the second doubles a value in a ``for`` loop. Automatic
differentiation runs the program as written and differentiates the operations that actually
executed, so the gradient is the derivative of the branch taken and of every loop step
taken. Both frameworks agree; every number below was printed and asserted during the build.
The guide page :doc:`/index` puts these programs in context.
"""

# %%
# A branch: the gradient of the path taken
# ----------------------------------------
# ``branchy(x)`` returns ``x * x`` when ``x > 1`` and ``x + 2`` otherwise. At ``x = 2`` the
# first branch runs, so the gradient is ``2 * x = 4``; at ``x = 0.5`` the second branch
# runs, so the gradient is ``1``. PyTorch records the operations as they run and
# ``backward()`` walks them in reverse.
import jax
import torch


def branchy(x):
    if x > 1:
        return x * x
    return x + 2


expected_branch_gradients = {2.0: 4.0, 0.5: 1.0}  # d/dx x*x = 2x at 2; d/dx (x+2) = 1

for x_value, expected in expected_branch_gradients.items():
    x = torch.tensor(x_value, requires_grad=True)
    branchy(x).backward()
    print(f"PyTorch: gradient of branchy at x={x_value}: {x.grad.item()} (expected {expected})")
    assert x.grad.item() == expected, f"PyTorch: gradient {x.grad.item()} at x={x_value}"

# %%
# The same branch in JAX
# ----------------------
# JAX traces the same Python function: ``jax.grad`` calls it with a value it can compare, so
# the ``if`` picks a branch exactly as in PyTorch.
for x_value, expected in expected_branch_gradients.items():
    gradient = float(jax.grad(branchy)(x_value))
    print(f"JAX:     gradient of branchy at x={x_value}: {gradient} (expected {expected})")
    assert gradient == expected, f"JAX: gradient {gradient} at x={x_value}"

# %%
# A loop: every step contributes
# ------------------------------
# ``doubled_three_times(x)`` starts from ``y = x`` and doubles ``y`` three times, so it
# returns ``8 * x`` and its gradient is ``2 ** 3 = 8``: the chain rule multiplies the
# derivative of each of the three steps.


def doubled_three_times(x):
    y = x
    for _ in range(3):
        y = y * 2
    return y


x = torch.tensor(1.0, requires_grad=True)
doubled_three_times(x).backward()
print(f"PyTorch: gradient of doubled_three_times at x=1.0: {x.grad.item()} (expected 8.0)")
assert x.grad.item() == 8.0, f"PyTorch: gradient {x.grad.item()} of doubled_three_times at 1.0"

gradient = float(jax.grad(doubled_three_times)(1.0))
print(f"JAX:     gradient of doubled_three_times at x=1.0: {gradient} (expected 8.0)")
assert gradient == 8.0, f"JAX: gradient {gradient} of doubled_three_times at 1.0"

# %%
# What to read next
# -----------------
# The branch not taken contributes nothing, the comparison ``x > 1`` passes no gradient, and
# a jump between the branches is invisible to the derivative: the other examples in this
# gallery show each of these, and what changes under ``jax.jit`` and ``torch.compile``.
