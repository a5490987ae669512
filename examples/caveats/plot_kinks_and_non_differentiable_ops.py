"""
==========================================
Kinks and operations that pass no gradient
==========================================

Comparisons, ``round``, ``floor``, ``sign`` and ``argmax`` are piecewise constant: their
derivative is zero wherever it exists. What the frameworks *return* differs: a zero, a
``None`` gradient, or an error. At a kink such as ``abs(0)`` the derivative does not exist
and each framework picks a value by convention. In torch |torch_version| and jax
|jax_version|, ``max(x, 0)`` written as ``relu``, ``maximum`` or ``clamp`` (``jnp.clip`` or
``lax.clamp`` in JAX) gets 0 or 0.5 at 0, depending on the spelling. Practical advice
is in :doc:`/guide/best_practices`, the full comparison in :doc:`/guide/framework_differences`.

Every value is asserted for torch |torch_version| and jax |jax_version|, so a change of
convention fails the documentation build.
"""

# %%
# Piecewise-constant operations in PyTorch
# ----------------------------------------
# ``round``, ``floor`` and ``sign`` are recorded with a zero derivative. A comparison returns a
# ``bool`` tensor and ``argmax`` an integer tensor, neither with a ``grad_fn``: combined with
# another input ``w`` that requires grad, ``x`` is left with ``x.grad is None``; used alone,
# ``backward`` raises. ``torch.heaviside`` is recorded but has no derivative implemented.
import re
from functools import partial

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

piecewise_constant = {
    "x > 0": (lambda x: x > 0, None),
    "argmax": (lambda x: torch.argmax(torch.stack([x, 2 * x])), None),
    "round": (torch.round, 0.0),
    "floor": (torch.floor, 0.0),
    "sign": (torch.sign, 0.0),
}
for name, (op, expected) in piecewise_constant.items():
    x, w = torch.tensor(1.3, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    (w * op(x).float()).backward()
    gradient = None if x.grad is None else x.grad.item()
    print(f"{name:>7}: x.grad = {gradient}")
    assert gradient == expected, f"{name}: x.grad = {gradient}, expected {expected}"
x = torch.tensor(1.3, requires_grad=True)
raising = {
    "heaviside": lambda: torch.heaviside(x, torch.tensor(0.5)).backward(),
    "x > 0 alone": lambda: (x > 0).float().backward(),
}
for name, call in raising.items():
    try:
        call()
    except RuntimeError as err:
        print(f"{name}: {type(err).__name__}: {str(err).strip().splitlines()[0]}")
    else:
        raise AssertionError(f"backward through {name} no longer raises RuntimeError")

# %%
# The same operations in JAX
# --------------------------
# Once the output is a float, JAX returns a gradient of exactly 0 for all of them at 1.3. Asking
# ``jax.grad`` about an output that is still an integer raises a ``TypeError`` instead.
jax_ops = {
    "x > 0": lambda x: (x > 0).astype(jnp.float32),
    "argmax": lambda x: jnp.argmax(jnp.stack([x, 2 * x])).astype(jnp.float32),
    "round": jnp.round,
    "floor": jnp.floor,
    "sign": jnp.sign,
}
for name, op in jax_ops.items():
    gradient = float(jax.grad(op)(1.3))
    print(f"{name:>7}: jax.grad = {gradient}")
    assert gradient == 0.0, f"jax.grad of {name} at 1.3 is {gradient}, expected 0"
try:
    jax.grad(lambda x: jnp.argmax(jnp.stack([x, 2 * x])))(1.3)
except TypeError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("jax.grad of an integer output no longer raises TypeError")

# %%
# The derivative at a kink, measured
# ----------------------------------
# Each row is (PyTorch function, JAX function, point); ``-`` marks a function one framework
# does not have. The ``clamp`` rows use ``torch.clamp`` and ``jnp.clip``; the ``lax.clamp``
# rows are JAX only. The last row is the first component of the gradient of the Euclidean
# norm at the zero vector of length 3. Below the table, the values asserted for torch
# |torch_version| and jax |jax_version|, in table order (``nan`` compares equal to ``nan``).
clamp_torch = partial(torch.clamp, min=-1.0, max=1.0)
clip_jax = partial(jnp.clip, min=-1.0, max=1.0)
lax_clamp = partial(jax.lax.clamp, -1.0, max=1.0)
kinks = {
    "abs(x) at 0": (torch.abs, jnp.abs, 0.0),
    "relu(x) at 0": (torch.relu, jax.nn.relu, 0.0),
    "maximum(x, 0) at 0": (partial(torch.maximum, torch.zeros(())), partial(jnp.maximum, 0.0), 0.0),
    "clamp(x, min=0) at 0": (partial(torch.clamp, min=0.0), partial(jnp.clip, min=0.0), 0.0),
    "lax.clamp(0, x, inf) at 0": (None, partial(jax.lax.clamp, 0.0, max=jnp.inf), 0.0),
    "clamp(x, -1, 1) at -1": (clamp_torch, clip_jax, -1.0),
    "clamp(x, -1, 1) at 1": (clamp_torch, clip_jax, 1.0),
    "lax.clamp(-1, x, 1) at -1": (None, lax_clamp, -1.0),
    "lax.clamp(-1, x, 1) at 1": (None, lax_clamp, 1.0),
    "hardtanh(x) at 1": (F.hardtanh, jax.nn.hard_tanh, 1.0),
    "relu6(x) at 0": (F.relu6, jax.nn.relu6, 0.0),
    "relu6(x) at 6": (F.relu6, jax.nn.relu6, 6.0),
    "leaky_relu(x, 0.01) at 0": (lambda x: F.leaky_relu(x, 0.01), jax.nn.leaky_relu, 0.0),
    "sqrt(x) at 0": (torch.sqrt, jnp.sqrt, 0.0),
    "norm(zeros(3))": (torch.linalg.norm, jnp.linalg.norm, [0.0, 0.0, 0.0]),
}
nan, inf = np.nan, np.inf
expected = {
    "PyTorch": [0, 0, 0.5, 0, None, 0, 0, None, None, 0, 0, 0, 0.01, inf, 0],
    "JAX": [1, 0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0, 1, 0, 0, 1, inf, nan],
}
measured = {"PyTorch": {}, "JAX": {}}
print(f"{'derivative of':<27}{'PyTorch':>10}{'JAX':>10}")
for key, (torch_fn, jax_fn, at) in kinks.items():
    if torch_fn is not None:
        x = torch.tensor(at, requires_grad=True)
        torch_fn(x).backward()
        measured["PyTorch"][key] = x.grad.reshape(-1)[0].item()
    measured["JAX"][key] = float(jnp.ravel(jax.grad(jax_fn)(jnp.asarray(at)))[0])
    torch_text = f"{measured['PyTorch'][key]:.4g}" if torch_fn is not None else "-"
    print(f"{key:<27}{torch_text:>10}{measured['JAX'][key]:>10.4g}")
for framework, values in expected.items():
    for key, want in zip(kinks, values, strict=True):
        if want is not None:  # None: the framework has no such function
            np.testing.assert_allclose(
                measured[framework][key], want, err_msg=f"{framework}: {key}"
            )
count = sum(len(measured[name]) for name in measured)
print(f"all {count} kink values match torch {torch.__version__} and jax {jax.__version__}")

# %%
# The rules behind the numbers
# ----------------------------
# PyTorch documents its rule in the autograd notes ("Gradients for non-differentiable
# functions"): the gradient where it exists; where the function is locally convex, the
# sub-gradient of minimum norm; where locally concave, the super-gradient of minimum norm;
# otherwise a value by continuity (``inf`` for ``sqrt(0)``). In torch |torch_version|, every
# PyTorch value in the table but one follows it: ``abs``, ``relu``, ``relu6``, ``leaky_relu``,
# ``sqrt``, ``norm``, and ``clamp`` (number bounds) and ``hardtanh``, 0 at a bound, the
# minimum-norm sub- or super-gradient there. The exception is ``maximum(x, 0)``: the rule gives
# 0 for this function of ``x``, but ``maximum``'s backward splits a tie evenly between its two
# inputs, even when the second is a constant, so it returns 0.5 where ``clamp(x, min=0)`` and
# ``relu`` return 0.
#
# .. release-change:: table cell: probes/kink_derivatives.py: clamp / clip(x, -1, 1) at the
#    upper bound 1 × PyTorch
#
# Among the JAX functions of the table, only the docstrings of ``jax.nn.relu`` and
# ``jax.nn.relu6`` fix a value at the kink (0 at 0, and for ``relu6`` also 0 at 6): below, they
# are the only ones that mention differentiation, a gradient or a nabla at all. For the others
# jax |jax_version| returns what its implementation gives: ``maximum`` splits a tie evenly and
# ``jnp.clip``, written with ``maximum`` and ``minimum``, inherits the split; ``lax.clamp`` is
# one primitive that returns 0 at its bounds; ``abs``, ``leaky_relu`` and ``hard_tanh`` take
# the side that includes the boundary (1); ``norm`` of a zero vector is ``nan``, because its
# derivative multiplies 0 by ``sqrt``'s infinite one.
jax_functions = {getattr(jax_fn, "func", jax_fn) for _, jax_fn, _ in kinks.values()}
mentions = re.compile("differentia|gradient|nabla")
documented = sorted(fn.__name__ for fn in jax_functions if mentions.search(fn.__doc__))
print("JAX docstrings that mention differentiation:", documented)
assert documented == ["relu", "relu6"], f"documented kinks: {documented}"

# %%
# Picture: one kink, several spellings
# ------------------------------------
# Away from 0 the derivative of ``max(x, 0)`` is 0 or 1 however it is written; only the point
# ``x = 0`` differs (checked at -0.5 and 0.5 below). Exact ties are rare with continuous data
# but common with integer-valued, quantised or clipped inputs.
spellings = list(kinks)[1:5]  # relu, maximum, clamp (clip in JAX), lax.clamp, all at 0
away = {-0.5: set(), 0.5: set()}
for torch_fn, jax_fn, _ in (kinks[key] for key in spellings):
    for at, found in away.items():
        found.add(float(jax.grad(jax_fn)(at)))
        if torch_fn is not None:
            x = torch.tensor(at, requires_grad=True)
            torch_fn(x).backward()
            found.add(x.grad.item())
print("derivatives of every spelling, both frameworks:", away)
assert away == {-0.5: {0.0}, 0.5: {1.0}}, f"away from the kink: {away}"
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot([-1, 0], [0, 0], color="grey", label="derivative away from 0")
ax.plot([0, 1], [1, 1], color="grey")
for offset, framework in [(-0.04, "PyTorch"), (0.04, "JAX")]:
    for marker, key in zip("os^v", spellings):
        if key in measured[framework]:
            value = measured[framework][key]
            label = f"{framework} {key.removesuffix(' at 0')}: {value:g}"
            ax.plot(offset, value, marker, ms=8, label=label)
ax.set(xlabel="x (markers at 0, offset by framework)", ylabel="d/dx max(x, 0)")
ax.set_title("One function, several spellings, several derivatives at 0")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
