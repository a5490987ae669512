"""
=====================================================
Gradients through helpers, closures and model objects
=====================================================

An ordinary Python function is invisible to autodiff: it sees the tensor operations the
function performs when it is called. Splitting a computation into helpers, capturing a
parameter in a closure, passing a function as an argument or hiding a branch inside a
model's ``forward`` changes nothing about the gradient, as each check against the closed
form shows below, in PyTorch and in JAX. The exceptions are the functions you *declare* to
autodiff: a ``torch.autograd.Function``, a custom derivative rule, a checkpoint. Those are
recorded as one unit, and the last section shows them. The guide page
:doc:`/guide/control_flow` walks through the whole series.
"""

# %%
# Helpers, and functions passed as arguments
# ------------------------------------------
# ``apply_twice(f, x)`` computes ``f(f(x))`` by calling the function it is given. Passing the
# helper ``square`` gives ``x**4``, whose derivative is ``4 x**3``; passing ``torch.sin`` or
# ``jnp.sin`` gives ``sin(sin(x))``, whose derivative is ``cos(sin(x)) * cos(x)``.
import math

import jax
import jax.numpy as jnp
import numpy as np
import torch


def square(t):
    return t * t


def apply_twice(f, x):
    return f(f(x))


for name, torch_f, jax_f, derivative in [
    ("square", square, square, 4 * 0.7**3),
    ("sin", torch.sin, jnp.sin, math.cos(math.sin(0.7)) * math.cos(0.7)),
]:
    x = torch.tensor(0.7, requires_grad=True)
    apply_twice(torch_f, x).backward()
    jax_grad = float(jax.grad(apply_twice, argnums=1)(jax_f, 0.7))
    print(
        f"apply_twice({name}) at 0.7: PyTorch {x.grad.item():.6f}, JAX {jax_grad:.6f}, "
        f"closed form {derivative:.6f}"
    )
    np.testing.assert_allclose(x.grad.item(), derivative, rtol=1e-5, err_msg=f"PyTorch {name}")
    np.testing.assert_allclose(jax_grad, derivative, rtol=1e-5, err_msg=f"JAX {name}")

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
jax_dx = float(jax.grad(make_scaled_square(3.0))(2.0))
jax_dscale = float(jax.grad(lambda s: make_scaled_square(s)(2.0))(3.0))
print(f"PyTorch: d/dx {x.grad.item()}, d/dscale {scale.grad.item()} (closed form 12.0, 4.0)")
print(f"JAX:     d/dx {jax_dx}, d/dscale {jax_dscale} (closed form 12.0, 4.0)")
closure_grads = [x.grad.item(), scale.grad.item()]
np.testing.assert_allclose(closure_grads, [12.0, 4.0], rtol=1e-6, err_msg="PyTorch d/dx, d/dscale")
np.testing.assert_allclose([jax_dx, jax_dscale], [12.0, 4.0], rtol=1e-6, err_msg="JAX")

# %%
# A model whose ``forward`` branches
# ----------------------------------
# ``TwoPathModel`` sends inputs of norm below ``1`` through the layer ``small`` and the rest
# through ``large``. The output is ``w @ x + b`` of the layer used, so that layer's weight
# gets the gradient ``x``. The other layer gets no gradient: ``None`` in PyTorch, zeros from
# ``jax.grad`` of the same model written as a function of a dictionary. What an optimizer
# then does differently is in
# :doc:`/auto_examples/control_flow/plot_none_versus_zero_gradients`.
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


def two_path_model(params, x):
    layer = params["small"] if jnp.linalg.norm(x) < 1 else params["large"]
    return layer["weight"] @ x + layer["bias"]


model = TwoPathModel()
params = {name: {"weight": jnp.ones(2), "bias": jnp.zeros(())} for name in ["small", "large"]}
for x_values, used, unused in [([0.3, -0.4], "small", "large"), ([2.0, 1.0], "large", "small")]:
    model.zero_grad(set_to_none=True)
    model(torch.tensor(x_values)).backward()
    torch_grads = dict(model.named_parameters())
    jax_grads = jax.grad(two_path_model)(params, jnp.array(x_values))
    print(
        f"x = {x_values}: PyTorch {used}.weight {torch_grads[f'{used}.weight'].grad}, "
        f"{unused}.weight {torch_grads[f'{unused}.weight'].grad}; "
        f"JAX {used} {jax_grads[used]['weight']}, {unused} {jax_grads[unused]['weight']}"
    )
    torch_used = torch_grads[f"{used}.weight"].grad.flatten().tolist()
    np.testing.assert_allclose(torch_used, x_values, rtol=1e-6, err_msg=f"PyTorch {used}")
    assert torch_grads[f"{unused}.weight"].grad is None, f"{unused} has a PyTorch gradient"
    np.testing.assert_allclose(jax_grads[used]["weight"], x_values, err_msg=f"JAX {used}")
    np.testing.assert_allclose(jax_grads[unused]["weight"], [0.0, 0.0], err_msg=f"JAX {unused}")

# %%
# The function boundaries autodiff does see
# -----------------------------------------
# A ``torch.autograd.Function`` is one node of the recorded graph, and its ``backward`` is
# used instead of the derivative of the operations inside. ``ClipGradient`` passes its input
# through and clips the gradient to ``[-1, 1]``, so ``5 * ClipGradient.apply(x)`` gets the
# gradient ``1``, not ``5``. In JAX ``jax.custom_vjp`` does the same, ``jax.nn.relu`` is
# itself a ``jax.custom_jvp``, and ``jax.checkpoint`` appears as one ``remat`` equation: a
# checkpointed function is the unit the backward pass recomputes, in both frameworks
# (:doc:`/auto_examples/scale/plot_checkpointing`).


class ClipGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad.clamp(-1, 1)


@jax.custom_vjp
def clip_gradient(x):
    return x


clip_gradient.defvjp(lambda x: (x, None), lambda _, grad: (jnp.clip(grad, -1, 1),))

x = torch.tensor(2.0, requires_grad=True)
y = 5 * ClipGradient.apply(x)
y.backward()
nodes = [type(node).__name__ for node, _ in y.grad_fn.next_functions if node is not None]
jax_grad = float(jax.grad(lambda x: 5 * clip_gradient(x))(2.0))
print(f"PyTorch: graph {type(y.grad_fn).__name__} <- {nodes}, gradient {x.grad.item()}")
print(f"JAX custom_vjp: gradient {jax_grad}")
assert nodes == ["ClipGradientBackward"], f"graph nodes {nodes}"
np.testing.assert_allclose([x.grad.item(), jax_grad], [1.0, 1.0], err_msg="clipped gradients")

primitives = {
    name: [eqn.primitive.name for eqn in jax.make_jaxpr(function)(2.0).eqns]
    for name, function in [
        ("custom_vjp", clip_gradient),
        ("jax.checkpoint", jax.checkpoint(square)),
        ("jax.nn.relu", jax.nn.relu),
    ]
}
print(f"type(jax.nn.relu): {type(jax.nn.relu).__name__}; jaxpr equations: {primitives}")
assert isinstance(jax.nn.relu, jax.custom_jvp), f"jax.nn.relu is a {type(jax.nn.relu)}"
for name, expected in [("jax.nn.relu", "custom_jvp_call"), ("custom_vjp", "custom_vjp_call")]:
    assert primitives[name] == [expected], f"{name} traced to {primitives[name]}"
checkpointed = primitives["jax.checkpoint"]
assert len(checkpointed) == 1, f"jax.checkpoint(square) traced to {checkpointed}"
assert checkpointed[0].startswith("remat"), f"jax.checkpoint(square) traced to {checkpointed}"
