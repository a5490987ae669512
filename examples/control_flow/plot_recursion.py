"""
===========================
Gradients through recursion
===========================

A recursive function is a loop that Python unrolls through the call stack: each call that
runs adds its operations, and the chain rule links them across calls. This example
differentiates a polynomial evaluated recursively by Horner's rule, whose depth is fixed by
the number of coefficients, and the exponential computed by recursive halving of its
argument, whose depth depends on the value of the input. PyTorch and JAX both follow the
calls that actually happened. The guide page :doc:`/guide/control_flow` walks through the
whole series.
"""

# %%
# Fixed depth: Horner's rule
# --------------------------
# ``horner(c, x)`` computes ``c[0] + x * (c[1] + x * (c[2] + x * c[3]))`` by calling itself
# on ``c[1:]`` until one coefficient is left: four calls for four coefficients, whatever
# the values. The derivative in ``x`` is ``c[1] + 2 c[2] x + 3 c[3] x**2`` and the
# derivative in ``c[k]`` is ``x**k``. The same function runs on tensors and on JAX arrays.
import math

import jax
import jax.numpy as jnp
import numpy as np
import torch


def horner(c, x):
    if len(c) == 1:
        return c[0]
    return c[0] + x * horner(c[1:], x)


c_values, x_value = [1.0, -2.0, 0.5, 3.0], 1.5
dp_dx = c_values[1] + 2 * c_values[2] * x_value + 3 * c_values[3] * x_value**2
dp_dc = [x_value**k for k in range(4)]

c = torch.tensor(c_values, requires_grad=True)
x = torch.tensor(x_value, requires_grad=True)
horner(c, x).backward()
print(f"PyTorch: d/dx {x.grad.item():.4f} (closed form {dp_dx}), "
      f"d/dc {c.grad.tolist()} (closed form {dp_dc})")
assert abs(x.grad.item() - dp_dx) < 1e-5
torch.testing.assert_close(c.grad, torch.tensor(dp_dc))

# %%
# ``jax.grad`` with ``argnums=(0, 1)`` returns both gradients at once.
jax_dc, jax_dx = jax.grad(horner, argnums=(0, 1))(jnp.array(c_values), x_value)
print(f"JAX:     d/dx {float(jax_dx):.4f} (closed form {dp_dx}), "
      f"d/dc {jax_dc.tolist()} (closed form {dp_dc})")
assert abs(float(jax_dx) - dp_dx) < 1e-5
np.testing.assert_allclose(np.asarray(jax_dc), dp_dc, rtol=1e-6)

# %%
# Depth that depends on the data: exponential by halving
# ------------------------------------------------------
# ``exp_by_halving(x)`` uses ``exp(x) = exp(x / 2) ** 2``: it calls itself on ``x / 2``
# until ``|x| < 0.1``, then uses the Taylor polynomial of degree 4. It needs
# ``k = floor(log2(10 |x|)) + 1`` calls for ``|x| >= 0.1``, so the depth is decided by the
# value of ``x`` at run time, and it also returns ``k`` so we can print it. The gradient
# of what it computes is close to ``exp(x)``, up to the truncation of the polynomial and
# float32 rounding (``2**k`` squarings amplify it), hence a relative tolerance of ``1e-4``.


def exp_by_halving(x):
    if abs(x) < 0.1:
        return 1 + x + x**2 / 2 + x**3 / 6 + x**4 / 24, 0
    half, depth = exp_by_halving(x / 2)
    return half * half, depth + 1


for x_value in (0.05, 1.0, 3.0, -4.0, 8.0):
    expected_depth = 0 if abs(x_value) < 0.1 else math.floor(math.log2(10 * abs(x_value))) + 1
    x = torch.tensor(x_value, requires_grad=True)
    value, depth = exp_by_halving(x)
    value.backward()
    print(f"PyTorch: x={x_value:5}: depth {depth} (expected {expected_depth}), "
          f"gradient {x.grad.item():.6g}, closed form exp(x) = {math.exp(x_value):.6g}")
    assert depth == expected_depth
    assert abs(x.grad.item() - math.exp(x_value)) < 1e-4 * math.exp(x_value)

# %%
# In JAX the depth comes back as auxiliary output of ``jax.grad`` (``has_aux=True``).
for x_value in (0.05, 1.0, 3.0, -4.0, 8.0):
    expected_depth = 0 if abs(x_value) < 0.1 else math.floor(math.log2(10 * abs(x_value))) + 1
    gradient, depth = jax.grad(exp_by_halving, has_aux=True)(x_value)
    print(f"JAX:     x={x_value:5}: depth {depth} (expected {expected_depth}), "
          f"gradient {float(gradient):.6g}, closed form exp(x) = {math.exp(x_value):.6g}")
    assert depth == expected_depth
    assert abs(float(gradient) - math.exp(x_value)) < 1e-4 * math.exp(x_value)

# %%
# Why the depth does not matter to autodiff
# -----------------------------------------
# Neither framework sees a function call. PyTorch records the tensor operations of every
# call as they run; ``jax.grad`` traces them as they run. A recursion of depth ``k`` is
# therefore differentiated exactly like the straight-line program of its ``k`` squarings,
# and a different input simply produces a different program. The example
# :doc:`/auto_examples/control_flow/plot_recorded_graph` draws such recorded programs.
