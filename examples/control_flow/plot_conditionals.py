"""
===================================
Gradients through if, elif and else
===================================

An ``if`` statement decides which operations run, and automatic differentiation
differentiates exactly those operations. Below, one piecewise function is evaluated on every
side of its thresholds in PyTorch and in JAX, and each gradient is printed next to the
derivative of the branch that ran. Then three details: a parameter used only in the
branch not taken gets no gradient (``None`` in PyTorch, zero in JAX), the comparison passes
no gradient to its input, and ``if`` on a tensor with several elements is an error. The
guide page :doc:`/guide/control_flow` walks through the whole series.
"""

# %%
# One function, three branches
# ----------------------------
# ``piecewise`` uses only arithmetic, so the same Python function runs on PyTorch tensors
# and on JAX arrays. Each input lands in a different branch, and each gradient is the
# derivative of that branch alone: ``3 * x**2``, then ``2``, then ``2 * x``.
import jax
import jax.numpy as jnp
import numpy as np
import torch


def piecewise(x):
    if x < -1:
        return x**3
    elif x < 1:
        return 2 * x
    else:
        return x * x


expected = {-2.0: 3 * (-2.0) ** 2, 0.5: 2.0, 3.0: 2 * 3.0}  # derivative of the branch taken

for x_value, slope in expected.items():
    x = torch.tensor(x_value, requires_grad=True)
    piecewise(x).backward()
    jax_grad = float(jax.grad(piecewise)(x_value))
    print(f"x={x_value:5}: PyTorch {x.grad.item():6.3f}, JAX {jax_grad:6.3f}, closed form {slope}")
    np.testing.assert_allclose(x.grad.item(), slope, rtol=1e-6, err_msg=f"PyTorch at {x_value}")
    np.testing.assert_allclose(jax_grad, slope, rtol=1e-6, err_msg=f"JAX at {x_value}")

# %%
# Branching on ``.item()``
# ------------------------
# Reading the value out with ``.item()`` gives a plain Python float to compare; the branch
# is picked the same way and the gradients do not change. In JAX ``.item()`` works under
# ``jax.grad`` because ``jax.grad`` runs the function on concrete values. ``float(x)``,
# however, is refused there, as the error printed below shows.


def piecewise_item(x):
    value = x.item()
    if value < -1:
        return x**3
    elif value < 1:
        return 2 * x
    return x * x


for x_value, slope in expected.items():
    x = torch.tensor(x_value, requires_grad=True)
    piecewise_item(x).backward()
    jax_grad = float(jax.grad(piecewise_item)(x_value))
    print(f"x={x_value:5}: PyTorch {x.grad.item():6.3f}, JAX {jax_grad:6.3f}, closed form {slope}")
    np.testing.assert_allclose(x.grad.item(), slope, rtol=1e-6, err_msg=f"PyTorch at {x_value}")
    np.testing.assert_allclose(jax_grad, slope, rtol=1e-6, err_msg=f"JAX at {x_value}")

try:
    jax.grad(lambda x: x * 2 if float(x) > 0 else x)(1.0)
except jax.errors.ConcretizationTypeError as err:
    print(f"JAX with float(x): {type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("jax.grad of float(x) no longer raises ConcretizationTypeError")

# %%
# The branch not taken gets no gradient
# -------------------------------------
# In ``scaled``, ``a`` appears only in the first branch and ``b`` only in the second. At
# ``x = 2`` PyTorch never records an operation on ``b``: its ``.grad`` stays ``None``, and
# ``torch.autograd.grad`` raises unless ``allow_unused=True``, with which it returns ``None``.


def scaled(x, a, b):
    if x > 0:
        return a * x
    return b * x


x = torch.tensor(2.0)
a = torch.tensor(1.5, requires_grad=True)
b = torch.tensor(-0.5, requires_grad=True)
scaled(x, a, b).backward()
print(f"PyTorch .grad: a {a.grad.item()} (closed form x = 2.0), b {b.grad}")
np.testing.assert_allclose(a.grad.item(), 2.0, err_msg="PyTorch a.grad")
assert b.grad is None, f"b.grad is {b.grad}"

try:
    torch.autograd.grad(scaled(x, a, b), (a, b))
except RuntimeError as err:
    print(f"without allow_unused: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("torch.autograd.grad of an unused input no longer raises RuntimeError")

grad_a, grad_b = torch.autograd.grad(scaled(x, a, b), (a, b), allow_unused=True)
print(f"allow_unused=True: a {grad_a.item()}, b {grad_b}")
np.testing.assert_allclose(grad_a.item(), 2.0, err_msg="allow_unused=True, a")
assert grad_b is None, f"allow_unused=True gave {grad_b} for b"

# %%
# JAX returns an array for every argument it differentiates, so the unused parameter gets
# an explicit zero. At ``x = -3`` the roles swap: ``b`` gets ``x`` and ``a`` gets zero. An
# optimizer treats ``None`` and zero differently:
# :doc:`/auto_examples/control_flow/plot_none_versus_zero_gradients`.
for x_value, closed_form in {2.0: (2.0, 0.0), -3.0: (0.0, -3.0)}.items():
    grad_a, grad_b = jax.grad(scaled, argnums=(1, 2))(x_value, 1.5, -0.5)
    print(f"JAX at x={x_value}: a {float(grad_a)}, b {float(grad_b)} (closed form {closed_form})")
    np.testing.assert_allclose([grad_a, grad_b], closed_form, err_msg=f"JAX (a, b) at {x_value}")

# %%
# The comparison passes no gradient
# ---------------------------------
# In ``gated`` the input ``x`` only decides the branch. The comparison ``x > 0`` returns a
# boolean tensor with no ``grad_fn``, so no path leads back to ``x``: PyTorch reports
# ``None`` for ``x`` and JAX reports zero. Only ``w``, used by the branch, gets a gradient.
# The same holds in ``piecewise`` above: its gradients contained no term from ``x < -1``.


def gated(x, w):
    if x > 0:
        return 3 * w
    return 5 * w


x = torch.tensor(1.0, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
print(f"x > 0: requires_grad={(x > 0).requires_grad}, grad_fn={(x > 0).grad_fn}")
grad_x, grad_w = torch.autograd.grad(gated(x, w), (x, w), allow_unused=True)
print(f"PyTorch: x {grad_x}, w {grad_w.item()} (closed form 3.0)")
assert grad_x is None, f"PyTorch gave {grad_x} for x"
np.testing.assert_allclose(grad_w.item(), 3.0, err_msg="PyTorch w")

grad_x, grad_w = jax.grad(gated, argnums=(0, 1))(1.0, 2.0)
print(f"JAX:     x {float(grad_x)}, w {float(grad_w)} (closed form 0.0 and 3.0)")
np.testing.assert_allclose([grad_x, grad_w], [0.0, 3.0], err_msg="JAX (x, w)")

# %%
# ``if`` on a tensor with several elements
# ----------------------------------------
# Python's ``if`` needs one truth value. A comparison of a vector gives one per element,
# so PyTorch raises a ``RuntimeError`` and JAX a ``ValueError``. To pick a branch per
# element, compute both and select with ``torch.where`` / ``jnp.where``: each element's
# gradient then comes from the branch selected for that element.
v_values = [1.5, -2.0, 0.5]
v = torch.tensor(v_values, requires_grad=True)
try:
    v.sum() if v > 0 else -v.sum()
except RuntimeError as err:
    print(f"PyTorch: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("if on a PyTorch vector no longer raises RuntimeError")
try:
    jax.grad(lambda u: u.sum() if u > 0 else -u.sum())(jnp.array(v_values))
except ValueError as err:
    print(f"JAX: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("if on a JAX vector no longer raises ValueError")

closed_form = [2 * s if s > 0 else 3.0 for s in v_values]  # d/ds of s**2 or of 3*s
torch.where(v > 0, v**2, 3 * v).sum().backward()
jax_grad = jax.grad(lambda v: jnp.where(v > 0, v**2, 3 * v).sum())(jnp.array(v_values))
print(f"where: PyTorch {v.grad.tolist()}, JAX {jax_grad.tolist()}, closed form {closed_form}")
np.testing.assert_allclose(v.grad.numpy(), closed_form, err_msg="torch.where")
np.testing.assert_allclose(jax_grad, closed_form, err_msg="jnp.where")
