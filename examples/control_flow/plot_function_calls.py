"""
=====================================================
Gradients through helpers, closures and model objects
=====================================================

Autodiff does not see Python functions at all: it sees the tensor operations they perform
when they are called. Splitting a computation into helpers, capturing a parameter in a
closure, passing a function as an argument or hiding a branch inside a model's ``forward``
changes nothing about the gradient. This example checks each pattern against the closed
form in PyTorch and in JAX, and shows that a model's parameters on the path not executed get
no gradient. The guide page :doc:`/guide/control_flow` walks through the whole series.
"""

# %%
# Helper functions
# ----------------
# ``energy(x) = square(x) + 3 * square(x - 1)`` calls a helper twice. Its derivative is
# ``2 x + 6 (x - 1)``; at ``x = 2`` that is ``10``.
import math

import jax
import jax.numpy as jnp
import numpy as np
import torch


def square(t):
    return t * t


def energy(x):
    return square(x) + 3 * square(x - 1)


closed_form = 2 * 2.0 + 6 * (2.0 - 1)
x = torch.tensor(2.0, requires_grad=True)
energy(x).backward()
jax_grad = float(jax.grad(energy)(2.0))
print(f"helpers: PyTorch {x.grad.item()}, JAX {jax_grad}, closed form {closed_form}")
assert abs(x.grad.item() - closed_form) < 1e-6 and abs(jax_grad - closed_form) < 1e-6

# %%
# Closures
# --------
# ``make_scaled_square(scale)`` returns a function that remembers ``scale``. In PyTorch a
# captured tensor with ``requires_grad=True`` is recorded like any other input, so it gets
# a ``.grad``. ``jax.grad`` differentiates only the arguments of the function it is given
# and treats captured values as constants; to differentiate with respect to ``scale``,
# build the closure inside the function of ``scale``. At ``scale = 3`` and ``x = 2`` the
# derivatives are ``2 * scale * x = 12`` and ``x**2 = 4``.


def make_scaled_square(scale):
    def scaled_square(x):
        return scale * x * x

    return scaled_square


scale = torch.tensor(3.0, requires_grad=True)
x = torch.tensor(2.0, requires_grad=True)
make_scaled_square(scale)(x).backward()
print(f"PyTorch: d/dx {x.grad.item()}, d/dscale {scale.grad.item()} (closed form 12.0 and 4.0)")
assert abs(x.grad.item() - 12.0) < 1e-6 and abs(scale.grad.item() - 4.0) < 1e-6

jax_dx = float(jax.grad(make_scaled_square(3.0))(2.0))
jax_dscale = float(jax.grad(lambda s: make_scaled_square(s)(2.0))(3.0))
print(f"JAX:     d/dx {jax_dx}, d/dscale {jax_dscale} (closed form 12.0 and 4.0)")
assert abs(jax_dx - 12.0) < 1e-6 and abs(jax_dscale - 4.0) < 1e-6

# %%
# A function passed as an argument
# --------------------------------
# ``apply_twice(f, x)`` computes ``f(f(x))``. Passing ``torch.sin`` or ``jnp.sin`` gives
# ``sin(sin(x))``, whose derivative is ``cos(sin(x)) * cos(x)``; passing the helper
# ``square`` gives ``x**4``, whose derivative is ``4 x**3``.


def apply_twice(f, x):
    return f(f(x))


for name, torch_f, jax_f, derivative in [
    ("sin", torch.sin, jnp.sin, lambda v: math.cos(math.sin(v)) * math.cos(v)),
    ("square", square, square, lambda v: 4 * v**3),
]:
    x = torch.tensor(0.7, requires_grad=True)
    apply_twice(torch_f, x).backward()
    jax_grad = float(jax.grad(apply_twice, argnums=1)(jax_f, 0.7))
    print(f"apply_twice({name}) at 0.7: PyTorch {x.grad.item():.6f}, JAX {jax_grad:.6f}, "
          f"closed form {derivative(0.7):.6f}")
    assert abs(x.grad.item() - derivative(0.7)) < 1e-5 and abs(jax_grad - derivative(0.7)) < 1e-5

# %%
# A model whose ``forward`` branches (PyTorch)
# --------------------------------------------
# ``TwoPathModel`` sends inputs of norm below ``1`` through the layer ``small`` and the rest
# through ``large``; the output is ``w @ x + b`` of the layer used, so that layer's weight
# gets the gradient ``x`` and its bias ``1``. The other layer's ``.grad`` stays ``None``.
torch.manual_seed(0)


class TwoPathModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.small = torch.nn.Linear(2, 1)
        self.large = torch.nn.Linear(2, 1)

    def forward(self, x):
        if x.norm() < 1:
            return self.small(x).sum()
        return self.large(x).sum()


model = TwoPathModel()
for x_values, used in [([0.3, -0.4], "small"), ([2.0, 1.0], "large")]:
    model.zero_grad(set_to_none=True)
    model(torch.tensor(x_values)).backward()
    grads = {name: None if p.grad is None else [round(g, 4) for g in p.grad.flatten().tolist()]
             for name, p in model.named_parameters()}
    print(f"PyTorch, x={x_values}: {grads} "
          f"(closed form: {used}.weight {x_values}, {used}.bias [1.0])")
    for name, p in model.named_parameters():
        if name.startswith(used):
            expected = x_values if name.endswith("weight") else [1.0]
            torch.testing.assert_close(p.grad.flatten(), torch.tensor(expected))
        else:
            assert p.grad is None

# %%
# The same model in JAX
# ---------------------
# In JAX the model is a plain function of a dictionary of parameters. ``jax.grad`` returns
# a dictionary of the same shape, and the layer not used gets zeros.
k_small, k_large = jax.random.split(jax.random.key(0))
params = {
    "small": {"w": jax.random.normal(k_small, (2,)), "b": jnp.zeros(())},
    "large": {"w": jax.random.normal(k_large, (2,)), "b": jnp.zeros(())},
}


def two_path_model(params, x):
    layer = params["small"] if jnp.linalg.norm(x) < 1 else params["large"]
    return layer["w"] @ x + layer["b"]


for x_values, used in [([0.3, -0.4], "small"), ([2.0, 1.0], "large")]:
    grads = jax.grad(two_path_model)(params, jnp.array(x_values))
    rounded = jax.tree.map(lambda g: np.round(np.asarray(g, dtype=float), 4).tolist(), grads)
    print(f"JAX, x={x_values}: {rounded} (closed form: {used} w {x_values}, {used} b 1.0)")
    for name, layer_grads in grads.items():
        expected_w, expected_b = (x_values, 1.0) if name == used else ([0.0, 0.0], 0.0)
        np.testing.assert_allclose(np.asarray(layer_grads["w"]), expected_w, atol=1e-6)
        np.testing.assert_allclose(float(layer_grads["b"]), expected_b, atol=1e-6)
