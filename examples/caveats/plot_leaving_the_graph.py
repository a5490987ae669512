"""
===============================================
Leaving the graph: .item(), .numpy(), .detach()
===============================================

``x.item()``, ``float(x)``, ``x.numpy()``, ``x.detach()`` and rebuilding a
tensor with ``torch.tensor([a, b])`` all produce values that autodiff no longer
tracks. Using such a value only to decide which branch to run is harmless:
the branch that runs is still differentiated. Using it inside the computed
value silently removes that part of the derivative, with no error, unless
nothing tracked is left at all. The JAX counterparts mostly raise under
``jax.grad``, but not all of them. The fixes are summarised in
:doc:`/guide/best_practices`.
"""

# %%
# A Python number used only for a decision is fine
# ------------------------------------------------
# ``x.item()`` gives a Python float; comparing it with 0 picks the branch.
# The branch itself is written with tensor operations, so the gradient is
# the derivative of ``x**3``, i.e. ``3 x**2 = 12`` at ``x = 2``.
import warnings
from functools import partial

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
assert abs(x.grad.item() - 12.0) < 1e-6

# %%
# A detached value inside the result: silently wrong
# --------------------------------------------------
# Now write ``x**3`` as ``x**2 * s`` where ``s`` is a copy of ``x`` that has
# left the graph. The value is still 8, but autodiff treats ``s`` as a
# constant and returns ``2 x * s = 8`` instead of 12. No error is raised.
# The pinned PyTorch warns (``UserWarning``) when ``float(x)`` or
# ``torch.tensor([x, ...])`` converts a tensor that requires grad, but only
# the first time in a process, so the count below may be 0 when an earlier
# example already triggered it; ``.item()`` and ``.detach()`` never warn.
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
    print(f"{name:>24}: value {y.item():.1f}, grad {x.grad.item():.1f} (correct: 12.0), "
          f"warnings: {[str(w.message).splitlines()[0] for w in caught]}")
    assert abs(y.item() - 8.0) < 1e-6 and abs(x.grad.item() - 8.0) < 1e-6
assert n_warnings["x.item()"] == 0 and n_warnings["x.detach()"] == 0
assert n_warnings["float(x)"] + n_warnings["torch.tensor([x, x])[0]"] <= 1

# %%
# When nothing tracked is left, it raises
# ---------------------------------------
# ``x.numpy()`` refuses a tensor that requires grad. Rebuilding a vector with
# ``torch.tensor([x, 2 * x])`` produces a fresh leaf with no history; if the
# loss depends on ``x`` only through it, ``backward`` finds nothing to
# differentiate.
x = torch.tensor(2.0, requires_grad=True)
attempts = {"x.numpy()": lambda: x.numpy(),
            "torch.tensor([x, 2x])": lambda: (torch.tensor([x, 2 * x]) ** 2).sum().backward()}
for name, attempt in attempts.items():
    try:
        attempt()
    except RuntimeError as err:
        print(f"{name}: {type(err).__name__}: {str(err).splitlines()[0]}")
        assert isinstance(err, RuntimeError)
    else:
        raise AssertionError(f"{name} did not raise")


# %%
# The right way in PyTorch
# ------------------------
# Keep every differentiable quantity a tensor: multiply by ``x`` itself,
# build vectors with ``torch.stack`` and read entries by indexing. The loss
# below is ``|(x, 2x)|**2 + x**3 = 5 x**2 + x**3``, whose derivative at
# ``x = 2`` is ``10 x + 3 x**2 = 32``.
x = torch.tensor(2.0, requires_grad=True)
v = torch.stack([x, 2 * x])
loss = (v**2).sum() + v[0] ** 2 * v[0]
loss.backward()
print(f"torch.stack + indexing: grad = {x.grad.item():.1f}, expected 10 x + 3 x**2 = 32.0")
assert abs(x.grad.item() - 32.0) < 1e-5

# %%
# The same escapes under ``jax.grad``
# -----------------------------------
# Inside ``jax.grad`` the argument is a tracer. In the pinned JAX,
# ``float(x)`` raises ``ConcretizationTypeError`` and ``np.asarray(x)`` raises
# ``TracerArrayConversionError``, but ``x.item()`` (without ``jax.jit``)
# returns a plain number and gives the same silently wrong 8. Under
# ``jax.jit`` the ``.item()`` call raises as well.
import jax
import jax.numpy as jnp

expected_error = {"float(x)": "ConcretizationTypeError",
                  "np.asarray(x)": "TracerArrayConversionError",
                  "x.item()": None, "x.item() under jit": "ConcretizationTypeError"}
escapes_jax = {"float(x)": float, "np.asarray(x)": np.asarray,
               "x.item()": lambda x: x.item(), "x.item() under jit": lambda x: x.item()}
for name, escape in escapes_jax.items():
    fn = partial(lambda x, esc: x**2 * esc(x), esc=escape)
    grad = jax.grad(jax.jit(fn) if "jit" in name else fn)
    try:
        g = float(grad(2.0))
        print(f"{name:>20}: no error, grad = {g} (correct: 12.0)")
        assert expected_error[name] is None and abs(g - 8.0) < 1e-6
    except (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError) as err:
        print(f"{name:>20}: {type(err).__name__}: {str(err).splitlines()[0]}")
        assert type(err).__name__ == expected_error[name]

# %%
# Explicit detaching and the right way in JAX
# -------------------------------------------
# ``jax.lax.stop_gradient`` is JAX's deliberate ``detach``: it is the
# correct tool when a constant is wanted (as in the straight-through
# estimator). ``jnp.stack`` and indexing keep the derivative, and a Python
# ``if`` on the traced value still picks the branch under ``jax.grad``.
g_stop = float(jax.grad(lambda x: x**2 * jax.lax.stop_gradient(x))(2.0))
g_right = float(jax.grad(lambda x: jnp.sum(jnp.stack([x, 2 * x]) ** 2) + x**3)(2.0))
g_branch = float(jax.grad(lambda x: x**3 if x > 0 else -x)(2.0))
print(f"stop_gradient: {g_stop} (expected 8.0), jnp.stack: {g_right} (expected 32.0), "
      f"if-branch: {g_branch} (expected 12.0)")
assert abs(g_stop - 8.0) < 1e-6 and abs(g_right - 32.0) < 1e-5 and abs(g_branch - 12.0) < 1e-6

# %%
# Picture: the dropped term over a range of inputs
# ------------------------------------------------
# For ``x**3`` written as ``x**2 * x.detach()`` the reported derivative is
# ``2 x**2`` instead of ``3 x**2``: two thirds of the truth at every ``x``,
# with no error anywhere.
xs = torch.linspace(-2.0, 2.0, 81, requires_grad=True)
(xs**2 * xs.detach()).sum().backward()
wrong = xs.grad.clone()
xs.grad = None
(xs**3).sum().backward()
torch.testing.assert_close(wrong, 2 / 3 * xs.grad)
print("detached version / true derivative at x = 1.5:",
      round(float(wrong[70] / xs.grad[70]), 4), "expected", round(2 / 3, 4))
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot(xs.detach(), xs.grad, label="d/dx x**3 (x kept in the graph)")
ax.plot(xs.detach(), wrong, "--", label="x**2 * x.detach(): silently 2/3 of it")
ax.set(xlabel="x", ylabel="reported derivative", title="A detached factor drops its share")
ax.legend()
fig.tight_layout()
