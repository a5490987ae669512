"""Probes for the live table "custom derivative rules under each transformation".

Each row is one kind of derivative rule you write yourself, always for the same function,
``softplus(x) = log(1 + exp(x))``, whose rule returns its derivative ``sigmoid(x)`` written
with the framework's own (differentiable) operations. The JAX rows are a ``jax.custom_jvp``,
a ``jax.custom_vjp``, and a ``custom_jvp`` whose forward picks its formula with a Python
``if`` on the input's value. The PyTorch rows are ``torch.autograd.Function`` subclasses: the
old style (``ctx`` is the forward's first argument); the ``setup_context`` style (a forward
without ``ctx`` and a separate ``setup_context``), first with a ``backward`` only, then with
``generate_vmap_rule = True``, then also with a ``jvp`` staticmethod; then, with
``generate_vmap_rule = True`` and no ``jvp``, one whose ``backward`` is marked
``@once_differentiable`` and one whose forward has the Python ``if``.

Each column applies one transformation: ``jax.grad`` / ``torch.func.grad``; ``jax.jvp`` /
``torch.func.jvp`` (forward mode); ``vmap`` of ``grad`` over a batch of three points;
``jax.jit(jax.grad(f))`` / ``torch.compile(f, fullgraph=True, backend="aot_eager")`` followed
by ``backward()`` (``fullgraph=True`` makes the compiler raise where it would otherwise split
the graph and run that part eagerly; the ``aot_eager`` backend has AOTAutograd trace the
backward too, and runs both graphs without generating code, so the column does not test the
default backend, Inductor); and ``grad`` of ``grad``. Each probe returns
``(got, closed form)``; a transformation that refuses the rule raises, and the table shows the
exception class.
"""

import math

import jax
import jax.numpy as jnp
import torch
from torch.autograd.function import once_differentiable

X = 0.5  # point for grad, jvp, the compiled gradient and grad of grad
XS = [-1.0, 0.5, 2.0]  # batch for vmap of grad


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# Closed forms: softplus' = sigmoid, softplus'' = sigmoid (1 - sigmoid).
FIRST = sigmoid(X)
SECOND = sigmoid(X) * (1 - sigmoid(X))
BATCH = [sigmoid(x) for x in XS]


# JAX rules.
@jax.custom_jvp
def softplus_jvp(x):
    return jnp.logaddexp(x, 0.0)


@softplus_jvp.defjvp
def softplus_jvp_rule(primals, tangents):
    (x,), (dx,) = primals, tangents
    return softplus_jvp(x), jax.nn.sigmoid(x) * dx


@jax.custom_vjp
def softplus_vjp(x):
    return jnp.logaddexp(x, 0.0)


def softplus_vjp_fwd(x):
    return softplus_vjp(x), x  # residual: the input


def softplus_vjp_bwd(x, cotangent):
    return (jax.nn.sigmoid(x) * cotangent,)


softplus_vjp.defvjp(softplus_vjp_fwd, softplus_vjp_bwd)


@jax.custom_jvp
def softplus_branchy(x):  # a Python if on the value: the overflow-safe formula for x > 0
    if x > 0:
        return x + jnp.log1p(jnp.exp(-x))
    return jnp.log1p(jnp.exp(x))


@softplus_branchy.defjvp
def softplus_branchy_rule(primals, tangents):
    (x,), (dx,) = primals, tangents
    return softplus_branchy(x), jax.nn.sigmoid(x) * dx


# PyTorch rules.
class SoftplusOldStyle(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.nn.functional.softplus(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return torch.sigmoid(x) * grad


class SoftplusBackwardOnly(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return torch.nn.functional.softplus(x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return torch.sigmoid(x) * grad


class SoftplusVmapRule(SoftplusBackwardOnly):
    generate_vmap_rule = True


class SoftplusJvp(SoftplusVmapRule):
    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
        ctx.save_for_forward(inputs[0])

    @staticmethod
    def jvp(ctx, tangent):
        (x,) = ctx.saved_tensors
        return torch.sigmoid(x) * tangent


class SoftplusOnceDifferentiable(SoftplusVmapRule):
    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return torch.sigmoid(x) * grad


class SoftplusBranchy(SoftplusVmapRule):
    @staticmethod
    def forward(x):  # a Python if on the value: the overflow-safe formula for x > 0
        if x > 0:
            return x + torch.log1p(torch.exp(-x))
        return torch.log1p(torch.exp(x))


# One probe per column: (got, closed form).
def jax_grad(f):
    return lambda: (jax.grad(f)(X), FIRST)


def jax_jvp(f):
    return lambda: (jax.jvp(f, (X,), (1.0,))[1], FIRST)


def jax_vmap_grad(f):
    return lambda: (jax.vmap(jax.grad(f))(jnp.array(XS)), BATCH)


def jax_jit_grad(f):
    return lambda: (jax.jit(jax.grad(f))(X), FIRST)


def jax_grad_grad(f):
    return lambda: (jax.grad(jax.grad(f))(X), SECOND)


def torch_grad(f):
    return lambda: (torch.func.grad(f)(torch.tensor(X)), FIRST)


def torch_jvp(f):
    return lambda: (torch.func.jvp(f, (torch.tensor(X),), (torch.tensor(1.0),))[1], FIRST)


def torch_vmap_grad(f):
    return lambda: (torch.func.vmap(torch.func.grad(f))(torch.tensor(XS)), BATCH)


def torch_compiled_grad(f):
    def probe():
        torch._dynamo.reset()  # forget graphs compiled by other probes
        x = torch.tensor(X, requires_grad=True)
        # A function of this module, not ``Function.apply``, is the compiled frame: Dynamo then
        # finds this module's globals without importing it by name (the site's build loads it
        # from a file path, under a name no import finds).
        compiled = torch.compile(lambda x: f(x), fullgraph=True, backend="aot_eager")
        compiled(x).backward()
        return x.grad, FIRST

    return probe


def torch_grad_grad(f):
    return lambda: (torch.func.grad(torch.func.grad(f))(torch.tensor(X)), SECOND)


GRAD, JVP, VMAP = "grad", "jvp (forward mode)", "vmap of grad"
COMPILED, GRAD_GRAD = "jax.jit / torch.compile(fullgraph=True)", "grad of grad"
COLUMNS = [GRAD, JVP, VMAP, COMPILED, GRAD_GRAD]
JAX_PROBES = dict(
    zip(COLUMNS, [jax_grad, jax_jvp, jax_vmap_grad, jax_jit_grad, jax_grad_grad], strict=True)
)
TORCH_PROBES = dict(
    zip(
        COLUMNS,
        [torch_grad, torch_jvp, torch_vmap_grad, torch_compiled_grad, torch_grad_grad],
        strict=True,
    )
)

CUSTOM_JVP, CUSTOM_VJP = "jax.custom_jvp", "jax.custom_vjp"
JAX_BRANCHY = "jax.custom_jvp, Python if on the value in the forward"
OLD_STYLE = "torch Function, old style (ctx in forward)"
BACKWARD_ONLY = "torch Function, setup_context, backward only"
VMAP_RULE = "torch Function, setup_context, generate_vmap_rule = True"
WITH_JVP = "torch Function, setup_context, generate_vmap_rule, jvp"
ONCE = "torch Function, setup_context, generate_vmap_rule, @once_differentiable backward"
TORCH_BRANCHY = "torch Function, setup_context, generate_vmap_rule, Python if in the forward"
RULES = {
    CUSTOM_JVP: (softplus_jvp, JAX_PROBES),
    CUSTOM_VJP: (softplus_vjp, JAX_PROBES),
    JAX_BRANCHY: (softplus_branchy, JAX_PROBES),
    OLD_STYLE: (SoftplusOldStyle.apply, TORCH_PROBES),
    BACKWARD_ONLY: (SoftplusBackwardOnly.apply, TORCH_PROBES),
    VMAP_RULE: (SoftplusVmapRule.apply, TORCH_PROBES),
    WITH_JVP: (SoftplusJvp.apply, TORCH_PROBES),
    ONCE: (SoftplusOnceDifferentiable.apply, TORCH_PROBES),
    TORCH_BRANCHY: (SoftplusBranchy.apply, TORCH_PROBES),
}

ROWS = list(RULES)
PROBES = {(row, col): probes[col](f) for row, (f, probes) in RULES.items() for col in COLUMNS}
ROW_LINKS = {row: "/auto_examples/expert_tools/plot_custom_derivative_rules" for row in ROWS}

# Each cell as the page publishes it, measured with the releases this site pins: a release
# that changes one fails the build, naming it.
EXPECTED = {
    (CUSTOM_JVP, GRAD): "ok",
    (CUSTOM_JVP, JVP): "ok",
    (CUSTOM_JVP, VMAP): "ok",
    (CUSTOM_JVP, COMPILED): "ok",
    (CUSTOM_JVP, GRAD_GRAD): "ok",
    (CUSTOM_VJP, GRAD): "ok",
    (CUSTOM_VJP, JVP): "TypeError",
    (CUSTOM_VJP, VMAP): "ok",
    (CUSTOM_VJP, COMPILED): "ok",
    (CUSTOM_VJP, GRAD_GRAD): "ok",
    (JAX_BRANCHY, GRAD): "ok",
    (JAX_BRANCHY, JVP): "ok",
    (JAX_BRANCHY, VMAP): "TracerBoolConversionError",
    (JAX_BRANCHY, COMPILED): "TracerBoolConversionError",
    (JAX_BRANCHY, GRAD_GRAD): "ok",
    (OLD_STYLE, GRAD): "RuntimeError",
    (OLD_STYLE, JVP): "RuntimeError",
    (OLD_STYLE, VMAP): "RuntimeError",
    (OLD_STYLE, COMPILED): "ok",
    (OLD_STYLE, GRAD_GRAD): "RuntimeError",
    (BACKWARD_ONLY, GRAD): "ok",
    (BACKWARD_ONLY, JVP): "NotImplementedError",
    (BACKWARD_ONLY, VMAP): "RuntimeError",
    (BACKWARD_ONLY, COMPILED): "ok",
    (BACKWARD_ONLY, GRAD_GRAD): "ok",
    (VMAP_RULE, GRAD): "ok",
    (VMAP_RULE, JVP): "NotImplementedError",
    (VMAP_RULE, VMAP): "ok",
    (VMAP_RULE, COMPILED): "ok",
    (VMAP_RULE, GRAD_GRAD): "ok",
    (WITH_JVP, GRAD): "ok",
    (WITH_JVP, JVP): "ok",
    (WITH_JVP, VMAP): "ok",
    (WITH_JVP, COMPILED): "Unsupported",
    (WITH_JVP, GRAD_GRAD): "ok",
    (ONCE, GRAD): "ok",
    (ONCE, JVP): "NotImplementedError",
    (ONCE, VMAP): "ok",
    (ONCE, COMPILED): "ok",
    (ONCE, GRAD_GRAD): "zero",
    (TORCH_BRANCHY, GRAD): "ok",
    (TORCH_BRANCHY, JVP): "NotImplementedError",
    (TORCH_BRANCHY, VMAP): "RuntimeError",
    (TORCH_BRANCHY, COMPILED): "Unsupported",
    (TORCH_BRANCHY, GRAD_GRAD): "ok",
}
