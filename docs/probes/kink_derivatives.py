"""Probes for the live table "the derivative each framework returns at a kink".

Each row is one function at a point where it has no derivative (a kink, a clamp bound, a tie,
a zero vector, the end of ``sqrt``'s domain). Each probe differentiates it there with the
framework's own autograd and returns the value it gets, shown as it is: a kink has no right
answer to compare with, only a convention. ``maximum(x, y)`` is differentiated at the tie
``x = y = 0``, once for each argument; ``norm`` at the zero vector of length 3, so its
derivative is a vector.
"""

from functools import partial

import jax
import jax.numpy as jnp
import torch
import torch.nn.functional as F


def torch_derivative(f, *args, wrt=0):
    """Derivative of ``f`` at ``args`` with respect to argument ``wrt``, by ``backward()``."""
    inputs = [torch.tensor(a, requires_grad=True) for a in args]
    f(*inputs).backward()
    return inputs[wrt].grad


def jax_derivative(f, *args, wrt=0):
    """The same derivative by ``jax.grad``."""
    return jax.grad(f, argnums=wrt)(*(jnp.asarray(a) for a in args))


# row: (PyTorch function, JAX function, point, argument differentiated)
KINKS = {
    "abs(x) at 0": (torch.abs, jnp.abs, (0.0,), 0),
    "relu(x) at 0": (torch.relu, jax.nn.relu, (0.0,), 0),
    "clamp / clip(x, -1, 1) at the lower bound -1": (
        lambda x: torch.clamp(x, -1.0, 1.0),
        lambda x: jnp.clip(x, -1.0, 1.0),
        (-1.0,),
        0,
    ),
    "clamp / clip(x, -1, 1) at the upper bound 1": (
        lambda x: torch.clamp(x, -1.0, 1.0),
        lambda x: jnp.clip(x, -1.0, 1.0),
        (1.0,),
        0,
    ),
    "leaky_relu(x, 0.01) at 0": (
        lambda x: F.leaky_relu(x, 0.01),
        lambda x: jax.nn.leaky_relu(x, 0.01),
        (0.0,),
        0,
    ),
    "hardtanh(x) at -1": (F.hardtanh, jax.nn.hard_tanh, (-1.0,), 0),
    "hardtanh(x) at 1": (F.hardtanh, jax.nn.hard_tanh, (1.0,), 0),
    "maximum(x, y) at x = y = 0, d/dx": (torch.maximum, jnp.maximum, (0.0, 0.0), 0),
    "maximum(x, y) at x = y = 0, d/dy": (torch.maximum, jnp.maximum, (0.0, 0.0), 1),
    "norm(x) at x = (0, 0, 0)": (torch.linalg.norm, jnp.linalg.norm, ([0.0, 0.0, 0.0],), 0),
    "sqrt(x) at 0": (torch.sqrt, jnp.sqrt, (0.0,), 0),
}

ROWS = list(KINKS)
COLUMNS = ["PyTorch", "JAX"]
PROBES = {}
for row, (torch_f, jax_f, at, wrt) in KINKS.items():
    PROBES[row, "PyTorch"] = partial(torch_derivative, torch_f, *at, wrt=wrt)
    PROBES[row, "JAX"] = partial(jax_derivative, jax_f, *at, wrt=wrt)

# Each cell's derivative as the page publishes it, measured with the releases this site pins:
# a release that changes a convention fails the build here, naming the cell. An expected nan
# matches nan.
nan, inf = float("nan"), float("inf")
EXPECTED = {
    ("abs(x) at 0", "PyTorch"): 0,
    ("abs(x) at 0", "JAX"): 1,
    ("relu(x) at 0", "PyTorch"): 0,
    ("relu(x) at 0", "JAX"): 0,
    ("clamp / clip(x, -1, 1) at the lower bound -1", "PyTorch"): 0,
    ("clamp / clip(x, -1, 1) at the lower bound -1", "JAX"): 0.5,
    ("clamp / clip(x, -1, 1) at the upper bound 1", "PyTorch"): 0,
    ("clamp / clip(x, -1, 1) at the upper bound 1", "JAX"): 0.5,
    ("leaky_relu(x, 0.01) at 0", "PyTorch"): 0.01,
    ("leaky_relu(x, 0.01) at 0", "JAX"): 1,
    ("hardtanh(x) at -1", "PyTorch"): 0,
    ("hardtanh(x) at -1", "JAX"): 1,
    ("hardtanh(x) at 1", "PyTorch"): 0,
    ("hardtanh(x) at 1", "JAX"): 1,
    ("maximum(x, y) at x = y = 0, d/dx", "PyTorch"): 0.5,
    ("maximum(x, y) at x = y = 0, d/dx", "JAX"): 0.5,
    ("maximum(x, y) at x = y = 0, d/dy", "PyTorch"): 0.5,
    ("maximum(x, y) at x = y = 0, d/dy", "JAX"): 0.5,
    ("norm(x) at x = (0, 0, 0)", "PyTorch"): [0.0, 0.0, 0.0],
    ("norm(x) at x = (0, 0, 0)", "JAX"): [nan, nan, nan],
    ("sqrt(x) at 0", "PyTorch"): inf,
    ("sqrt(x) at 0", "JAX"): inf,
}
