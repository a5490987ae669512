"""
===============================================
Leaving the graph: .item(), .numpy(), .detach()
===============================================

``x.item()``, ``float(x)``, ``x.numpy()``, ``x.detach()`` and rebuilding a tensor with
``torch.tensor([a, b])`` all produce values that autodiff no longer tracks. Using such a value
only to decide which branch to run is harmless: the branch that runs is still differentiated.
Using it inside the computed value silently removes that part of the derivative, with no
error, unless nothing tracked is left at all. The JAX counterparts mostly raise under
``jax.grad``, but not all of them. The fixes are summarised in :doc:`/guide/best_practices`.
"""

# %%
# A Python number used only for a decision is fine
# ------------------------------------------------
# ``x.item()`` gives a Python float; comparing it with 0 picks the branch. The branch itself is
# written with tensor operations, so the gradient is the derivative of ``x**3``, i.e.
# ``3 x**2 = 12`` at ``x = 2``.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch


def cube_if_positive(x):
    if x.item() > 0:
        return x**3
    return -x


x = torch.tensor(2.0, requires_grad=True)
cube_if_positive(x).backward()
print(f"branch chosen with .item(): grad = {x.grad.item()}, expected 3 * 2**2 = 12")
np.testing.assert_allclose(x.grad.item(), 12.0, rtol=1e-6, err_msg="branch chosen with .item()")

# %%
# A detached value inside the result: silently wrong
# --------------------------------------------------
# Now write ``x**3`` as ``x**2 * s`` where ``s`` is a copy of ``x`` that has left the graph. The
# value is still 8, but autodiff treats ``s`` as a constant and returns ``2 x * s = 8`` instead of
# 12. No error is raised. PyTorch |torch_version| warns (``UserWarning``) when ``float(x)`` or
# ``torch.tensor([x, ...])`` converts a tensor that requires grad, but only the first time in a
# process, so the count below may be 0 when an earlier example already triggered it; ``.item()``
# and ``.detach()`` never warn.
escapes = {
    "x.item()": lambda x: x.item(),
    "float(x)": lambda x: float(x),
    "x.detach()": lambda x: x.detach(),
    "torch.tensor([x, x])[0]": lambda x: torch.tensor([x, x])[0],
}
n_warnings = {}
for name, escape in escapes.items():
    x = torch.tensor(2.0, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = x**2 * escape(x)
    y.backward()
    n_warnings[name] = len(caught)
    messages = [str(warning.message).splitlines()[0] for warning in caught]
    print(f"{name:>23}: value {y.item():.1f}, grad {x.grad.item():.1f}, warnings: {messages}")
    np.testing.assert_allclose([y.item(), x.grad.item()], [8.0, 8.0], err_msg=name)
for name in ["x.item()", "x.detach()"]:
    assert n_warnings[name] == 0, f"{name} now warns: {n_warnings[name]} warnings"
warned_once = n_warnings["float(x)"] + n_warnings["torch.tensor([x, x])[0]"]
assert warned_once <= 1, f"{warned_once} conversion warnings, expected at most one per process"

# %%
# When nothing tracked is left, it raises
# ---------------------------------------
# ``x.numpy()`` refuses a tensor that requires grad. Rebuilding a vector with
# ``torch.tensor([x, 2 * x])`` produces a fresh leaf with no history; if the loss depends on ``x``
# only through it, ``backward`` finds nothing to differentiate.
x = torch.tensor(2.0, requires_grad=True)
attempts = {
    "x.numpy()": lambda: x.numpy(),
    "torch.tensor([x, 2x])": lambda: (torch.tensor([x, 2 * x]) ** 2).sum().backward(),
}
for name, attempt in attempts.items():
    try:
        attempt()
    except RuntimeError as err:
        print(f"{name}: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
    else:
        raise AssertionError(f"{name} no longer raises RuntimeError")


# %%
# The right way in PyTorch
# ------------------------
# Keep every differentiable quantity a tensor: multiply by ``x`` itself, build vectors with
# ``torch.stack`` and read entries by indexing. The loss below is
# ``|(x, 2x)|**2 + x**3 = 5 x**2 + x**3``, whose derivative at ``x = 2`` is
# ``10 x + 3 x**2 = 32``.
x = torch.tensor(2.0, requires_grad=True)
v = torch.stack([x, 2 * x])
loss = (v**2).sum() + v[0] ** 2 * v[0]
loss.backward()
print(f"torch.stack + indexing: grad = {x.grad.item():.1f}, expected 10 x + 3 x**2 = 32.0")
np.testing.assert_allclose(x.grad.item(), 32.0, rtol=1e-6, err_msg="torch.stack + indexing")

# %%
# The same escapes under ``jax.grad``
# -----------------------------------
# Inside ``jax.grad`` the argument is a tracer. In JAX |jax_version|, ``float(x)`` raises
# ``ConcretizationTypeError`` and ``np.asarray(x)`` raises ``TracerArrayConversionError``, but
# ``x.item()`` (without ``jax.jit``) returns a plain number and gives the same silently wrong 8.
# Under ``jax.jit`` the ``.item()`` call raises as well.
import jax
import jax.numpy as jnp
from jax.errors import ConcretizationTypeError, TracerArrayConversionError


def times_escaped(escape):  # x**2 * x, with the second factor passed through the escape
    return lambda x: x**2 * escape(x)


def item(x):
    return x.item()


raising = {  # escape: (its gradient function, the error it raises)
    "float(x)": (jax.grad(times_escaped(float)), ConcretizationTypeError),
    "np.asarray(x)": (jax.grad(times_escaped(np.asarray)), TracerArrayConversionError),
    "x.item() under jit": (jax.grad(jax.jit(times_escaped(item))), ConcretizationTypeError),
}
for name, (gradient_of, error) in raising.items():
    try:
        gradient_of(2.0)
    except error as err:
        print(f"{name:>18}: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
    else:
        raise AssertionError(f"{name} inside jax.grad no longer raises {error.__name__}")
gradient = float(jax.grad(times_escaped(item))(2.0))
print(f"{'x.item()':>18}: no error, grad = {gradient} (correct: 12.0)")
np.testing.assert_allclose(gradient, 8.0, rtol=1e-6, err_msg="x.item() inside jax.grad")

# %%
# Explicit detaching and the right way in JAX
# -------------------------------------------
# ``jax.lax.stop_gradient`` is JAX's deliberate ``detach``: it is the correct tool when a constant
# is wanted (as in the straight-through estimator). ``jnp.stack`` and indexing keep the
# derivative, and a Python ``if`` on the traced value still picks the branch under ``jax.grad``.
grad_stop = float(jax.grad(lambda x: x**2 * jax.lax.stop_gradient(x))(2.0))
grad_stacked = float(jax.grad(lambda x: jnp.sum(jnp.stack([x, 2 * x]) ** 2) + x**3)(2.0))
grad_branch = float(jax.grad(lambda x: x**3 if x > 0 else -x)(2.0))
print(f"stop_gradient: {grad_stop}, jnp.stack: {grad_stacked}, if-branch: {grad_branch}")
np.testing.assert_allclose(grad_stop, 8.0, rtol=1e-6, err_msg="stop_gradient")
np.testing.assert_allclose(grad_stacked, 32.0, rtol=1e-6, err_msg="jnp.stack and indexing")
np.testing.assert_allclose(grad_branch, 12.0, rtol=1e-6, err_msg="Python if under jax.grad")

# %%
# Picture: the dropped term over a range of inputs
# ------------------------------------------------
# For ``x**3`` written as ``x**2 * x.detach()`` the reported derivative is ``2 x**2`` instead of
# ``3 x**2``: two thirds of the truth at every ``x``, with no error anywhere.
xs = torch.linspace(-2.0, 2.0, 81, requires_grad=True)
(xs**2 * xs.detach()).sum().backward()
wrong = xs.grad.clone()
xs.grad = None
(xs**3).sum().backward()
torch.testing.assert_close(wrong, 2 / 3 * xs.grad)
print(f"detached / true derivative at x = {xs[70].item()}: {(wrong[70] / xs.grad[70]).item():.4f}")
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot(xs.detach(), xs.grad, label="d/dx x**3 (x kept in the graph)")
ax.plot(xs.detach(), wrong, "--", label="x**2 * x.detach(): silently 2/3 of it")
ax.set(xlabel="x", ylabel="reported derivative", title="A detached factor drops its share")
ax.legend()
fig.tight_layout()
