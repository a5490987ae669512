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
expected_dx = c_values[1] + 2 * c_values[2] * x_value + 3 * c_values[3] * x_value**2
expected_dc = [x_value**k for k in range(4)]

c = torch.tensor(c_values, requires_grad=True)
x = torch.tensor(x_value, requires_grad=True)
horner(c, x).backward()
print(
    f"PyTorch: d/dx {x.grad.item():.4f} (closed form {expected_dx}), "
    f"d/dc {c.grad.tolist()} (closed form {expected_dc})"
)
np.testing.assert_allclose(x.grad.item(), expected_dx, rtol=1e-6, err_msg="PyTorch d/dx")
np.testing.assert_allclose(c.grad.numpy(), expected_dc, rtol=1e-6, err_msg="PyTorch d/dc")

# %%
# ``jax.grad`` with ``argnums=(0, 1)`` returns both gradients at once.
jax_dc, jax_dx = jax.grad(horner, argnums=(0, 1))(jnp.array(c_values), x_value)
print(
    f"JAX:     d/dx {float(jax_dx):.4f} (closed form {expected_dx}), "
    f"d/dc {jax_dc.tolist()} (closed form {expected_dc})"
)
np.testing.assert_allclose(float(jax_dx), expected_dx, rtol=1e-6, err_msg="JAX d/dx")
np.testing.assert_allclose(np.asarray(jax_dc), expected_dc, rtol=1e-6, err_msg="JAX d/dc")

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
    print(
        f"PyTorch: x={x_value:5}: depth {depth} (expected {expected_depth}), "
        f"gradient {x.grad.item():.6g}, closed form exp(x) = {math.exp(x_value):.6g}"
    )
    assert depth == expected_depth, f"x={x_value}: depth {depth}, expected {expected_depth}"
    np.testing.assert_allclose(x.grad.item(), math.exp(x_value), rtol=1e-4, err_msg=f"x={x_value}")

# %%
# In JAX the depth comes back as auxiliary output of ``jax.grad`` (``has_aux=True``).
for x_value in (0.05, 1.0, 3.0, -4.0, 8.0):
    expected_depth = 0 if abs(x_value) < 0.1 else math.floor(math.log2(10 * abs(x_value))) + 1
    gradient, depth = jax.grad(exp_by_halving, has_aux=True)(x_value)
    print(
        f"JAX:     x={x_value:5}: depth {depth} (expected {expected_depth}), "
        f"gradient {float(gradient):.6g}, closed form exp(x) = {math.exp(x_value):.6g}"
    )
    assert depth == expected_depth, f"x={x_value}: depth {depth}, expected {expected_depth}"
    np.testing.assert_allclose(
        float(gradient), math.exp(x_value), rtol=1e-4, err_msg=f"x={x_value}"
    )

# %%
# Why the depth does not matter to autodiff
# -----------------------------------------
# A plain recursive call leaves no trace of its own: PyTorch records the tensor operations of
# every call as they run, and so does ``jax.grad``. Walked from the output, the recorded graph
# of ``exp_by_halving`` at ``x = 3`` is the straight-line program of its squarings: one
# multiplication node per call (``half * half``), down to the last operation of the Taylor
# polynomial, and no node for the calls themselves. Functions declared to autodiff, such as a
# ``torch.autograd.Function`` or a ``jax.custom_jvp``, are the exception: each is recorded as
# one node (:doc:`/auto_examples/control_flow/plot_function_calls`). The example
# :doc:`/auto_examples/control_flow/plot_recorded_graph` draws such recorded programs.
value, depth = exp_by_halving(torch.tensor(3.0, requires_grad=True))
node, squarings = value.grad_fn, 0
while node.name() == "MulBackward0" and node.next_functions[0][0] is node.next_functions[1][0]:
    squarings += 1  # one node computing half * half, whose two inputs are the same node
    node = node.next_functions[0][0]
print(f"x = 3.0: depth {depth}; the graph is {squarings} squaring nodes, then {node.name()}")
assert squarings == depth, f"{squarings} squaring nodes for depth {depth}"
