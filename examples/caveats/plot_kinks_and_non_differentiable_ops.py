"""
==========================================
Kinks and operations that pass no gradient
==========================================

Comparisons, ``round``, ``floor``, ``sign`` and ``argmax`` are piecewise
constant: their derivative is zero wherever it exists. What the frameworks
*return* differs: a zero, a ``None`` gradient, or an error. At a kink such as
``abs(0)`` the derivative does not exist and each framework picks a value by
convention; the same function written two ways can get two different values.
This example measures both, side by side, and asserts every value for the
pinned releases, so that a change of convention fails the documentation
build. Practical advice is in :doc:`/guide/best_practices`.
"""

# %%
# Piecewise-constant operations in PyTorch
# ----------------------------------------
# ``round``, ``floor`` and ``sign`` are recorded with a zero derivative. A
# comparison returns a ``bool`` tensor and ``argmax`` an integer tensor,
# neither with a ``grad_fn``: combined with another input ``w`` that requires
# grad, ``x`` is left with ``x.grad is None``; used alone, ``backward`` raises.
# ``torch.heaviside`` is recorded but has no derivative implemented.
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

ops = {"x > 0": lambda x: x > 0, "round": torch.round, "floor": torch.floor,
       "sign": torch.sign, "argmax": lambda x: torch.argmax(torch.stack([x, 2 * x])),
       "heaviside": lambda x: torch.heaviside(x, torch.tensor(0.5))}
expected_torch = {"x > 0": "None", "round": "0", "floor": "0", "sign": "0", "argmax": "None",
                  "heaviside": "RuntimeError: derivative for aten::heaviside is not implemented"}
for name, op in ops.items():
    x = torch.tensor(1.3, requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    try:
        (w * op(x).float()).backward()
        outcome = "None" if x.grad is None else f"{x.grad.item():g}"
    except RuntimeError as err:
        outcome = f"{type(err).__name__}: {err}"
    print(f"{name:>10}: x.grad = {outcome}")
    assert outcome == expected_torch[name]
try:
    (torch.tensor(1.3, requires_grad=True) > 0).float().backward()
except RuntimeError as err:
    print(f"comparison used alone: {type(err).__name__}: {err}")
    assert isinstance(err, RuntimeError)
else:
    raise AssertionError("backward through a comparison did not raise")

# %%
# The same operations in JAX
# --------------------------
# Once the output is a float, JAX returns a gradient of exactly 0 for all of
# them. Asking ``jax.grad`` about an output that is still ``bool`` or integer
# raises a ``TypeError`` instead.
import jax
import jax.numpy as jnp

jax_ops = {"x > 0": lambda x: (x > 0).astype(jnp.float32), "round": jnp.round,
           "floor": jnp.floor, "sign": jnp.sign,
           "argmax": lambda x: jnp.argmax(jnp.stack([x, 2 * x])).astype(jnp.float32)}
for name, op in jax_ops.items():
    g = float(jax.grad(op)(1.3))
    print(f"{name:>10}: jax.grad = {g}")
    assert abs(g) < 1e-30
try:
    jax.grad(lambda x: jnp.argmax(jnp.stack([x, 2 * x])))(1.3)
except TypeError as err:
    print(f"integer output: {type(err).__name__}: {err}")
    assert isinstance(err, TypeError)
else:
    raise AssertionError("jax.grad of an integer output did not raise")

# %%
# The derivative at a kink, measured
# ----------------------------------
# Each row is (PyTorch function, JAX function, point). ``maximum(x, c)`` is
# evaluated at a tie ``x = c``; ``maximum(x, x)`` differentiates both of its
# arguments; the last row is the first component of the gradient of the
# Euclidean norm at the zero vector of length 3.
kinks = {
    "abs(x) at 0": (torch.abs, jnp.abs, 0.0),
    "relu(x) at 0": (torch.relu, jax.nn.relu, 0.0),
    "maximum(x, 0) at 0": (lambda x: torch.maximum(x, torch.tensor(0.0)),
                           lambda x: jnp.maximum(x, 0.0), 0.0),
    "maximum(x, 0.5) at 0.5": (lambda x: torch.maximum(x, torch.tensor(0.5)),
                               lambda x: jnp.maximum(x, 0.5), 0.5),
    "maximum(x, x)": (lambda x: torch.maximum(x, x), lambda x: jnp.maximum(x, x), 0.5),
    "clamp(x, -1, 1) at -1": (lambda x: torch.clamp(x, -1.0, 1.0),
                              lambda x: jnp.clip(x, -1.0, 1.0), -1.0),
    "clamp(x, -1, 1) at 1": (lambda x: torch.clamp(x, -1.0, 1.0),
                             lambda x: jnp.clip(x, -1.0, 1.0), 1.0),
    "hardtanh(x) at -1": (F.hardtanh, jax.nn.hard_tanh, -1.0),
    "hardtanh(x) at 1": (F.hardtanh, jax.nn.hard_tanh, 1.0),
    "leaky_relu(x, 0.01) at 0": (lambda x: F.leaky_relu(x, 0.01),
                                 lambda x: jax.nn.leaky_relu(x, 0.01), 0.0),
    "sqrt(x) at 0": (torch.sqrt, jnp.sqrt, 0.0),
    "norm(zeros(3))": (torch.linalg.norm, jnp.linalg.norm, [0.0, 0.0, 0.0]),
}
measured = {"torch": {}, "jax": {}}
for key, (torch_fn, jax_fn, at) in kinks.items():
    x = torch.tensor(at, requires_grad=True)
    torch_fn(x).backward()
    measured["torch"][key] = x.grad.reshape(-1)[0].item()
    measured["jax"][key] = float(jnp.ravel(jax.grad(jax_fn)(jnp.asarray(at)))[0])
print(f"torch {torch.__version__}, jax {jax.__version__}")
print(f"{'derivative of':<26}{'PyTorch':>10}{'JAX':>10}")
for key in kinks:
    print(f"{key:<26}{measured['torch'][key]:>10.4g}{measured['jax'][key]:>10.4g}")

# %%
# The values asserted for the pinned releases
# -------------------------------------------
# The expected values for torch 2.13.0 and jax 0.10.2, in table order. The
# loop fails the build if a release changes a convention (``nan`` compares
# equal to ``nan`` here). Note the rows where the frameworks differ, and,
# inside each framework, ``relu(x)`` versus ``maximum(x, 0)``: the same
# function, two derivatives at 0.
expected = {
    "torch": [0.0, 0.0, 0.5, 0.5, 1.0, 1.0, 1.0, 0.0, 0.0, 0.01, np.inf, 0.0],
    "jax": [1.0, 0.0, 0.5, 0.5, 1.0, 0.5, 0.5, 1.0, 1.0, 1.0, np.inf, np.nan],
}
for framework, values in expected.items():
    for key, want in zip(kinks, values, strict=True):
        np.testing.assert_allclose(measured[framework][key], want, rtol=1e-6,
                                   err_msg=f"{framework}: {key}")
print("all", sum(map(len, expected.values())), "kink values match the pinned releases")

# %%
# The rules behind the numbers
# ----------------------------
# PyTorch documents its rule in the autograd notes ("Gradients for
# non-differentiable functions"): use the gradient where it exists; where the
# function is locally convex, the sub-gradient of minimum norm; where locally
# concave, the super-gradient of minimum norm; otherwise a value by
# continuity (``inf`` for ``sqrt(0)``). The table follows it for ``abs``,
# ``relu``, ``leaky_relu``, ``hardtanh``, ``sqrt`` and ``norm``, and for
# ``maximum`` read as a function of both inputs (the minimum-norm
# sub-gradient of ``max(x, y)`` at a tie is ``(0.5, 0.5)``). The pinned
# ``clamp`` does not: it returns 1 at both bounds, where the rule gives 0 and
# where ``hardtanh``, the same function, returns 0.
#
# JAX documents a value at the kink only for ``jax.nn.relu`` (its docstring
# says the gradient at 0 is taken to be 0, set by a custom derivative rule).
# For the others the pinned release returns what its implementation gives:
# ``maximum`` and ``minimum`` split a tie evenly (so ``clip`` gets 0.5);
# ``abs``, ``leaky_relu`` and ``hard_tanh`` take the side that includes the
# boundary (1); ``norm`` of a zero vector is ``nan``, because its derivative
# multiplies 0 by the infinite derivative of ``sqrt`` at 0. All of these
# values are in the table above.

# %%
# Picture: one kink, two conventions per framework
# ------------------------------------------------
# Away from 0 the derivative of ``max(x, 0)`` is 0 or 1 however it is
# written; only the point ``x = 0`` differs. Exact ties are rare with
# continuous data but common with integer-valued, quantised or clipped inputs.
grid = torch.linspace(-1.0, 1.0, 201, requires_grad=True)
torch.relu(grid).sum().backward()
fig, ax = plt.subplots(figsize=(6.4, 4))
for side in [grid.detach() < 0, grid.detach() > 0]:
    ax.plot(grid.detach()[side], grid.grad[side], color="grey",
            label="derivative away from 0" if side[0] else None)
for i, (framework, spelling, key) in enumerate(
        [("torch", "relu", "relu(x) at 0"), ("torch", "maximum(x, 0)", "maximum(x, 0) at 0"),
         ("jax", "relu", "relu(x) at 0"), ("jax", "maximum(x, 0)", "maximum(x, 0) at 0")]):
    value = measured[framework][key]
    ax.plot(0.0, value, "os^v"[i], ms=10 - 2 * i, label=f"{framework} {spelling} at 0: {value:g}")
ax.set(xlabel="x", ylabel="d/dx max(x, 0)", title="One function, two conventions at the kink")
ax.legend(loc="upper left")
fig.tight_layout()
