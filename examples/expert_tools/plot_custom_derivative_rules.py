"""
=============================================================
Custom derivative rules: kinks, estimators, clipped gradients
=============================================================

A derivative rule you write yourself replaces what autodiff computes for one function:
``jax.custom_jvp`` or ``jax.custom_vjp`` in JAX, a ``torch.autograd.Function`` in PyTorch.
You will see rules that choose the derivative at a kink once (a norm whose gradient at the zero
vector is the rule's value, with no double ``where``, and ``abs`` with a sign rule), a
straight-through estimator (``round`` forward, identity backward), and a backward that clips
the gradient's norm. A backward pass runs the rule instead of differentiating its forward, so
a Python loop on ``.item()`` is fine there under ``backward()`` (the rule runs once, counted)
and ``torch.func.grad``, though ``torch.func.vmap`` refuses it and ``torch.compile`` splits
the graph there. The PyTorch rules use the ``setup_context`` style, which ``torch.func``
requires; the old style's refusal is shown, and JAX's of forward mode through a ``custom_vjp``.

The guide page :doc:`/guide/expert_tools` puts these examples in order, and its live table
lists what these kinds of rule support under ``grad``, ``jvp``, ``vmap`` and the compilers.
"""

# %%
# A norm that is safe at the zero vector (JAX)
# --------------------------------------------
# ``sqrt(sum(x**2))`` has the derivative ``x / |x|``, which is ``0 / 0`` at the zero vector,
# so autodiff returns NaN there. The double ``where``
# (:doc:`/auto_examples/caveats/plot_nan_from_untaken_branch`) patches the formula; a
# ``custom_jvp`` states the derivative instead, choosing its value at zero once: the rule
# divides by the norm only where it is positive, and ``x`` is 0 where it is not. Elsewhere the
# rule's gradient is the plain formula's.
import functools

import jax
import jax.numpy as jnp
import numpy as np
import torch


@jax.custom_jvp
def safe_norm(x):
    return jnp.sqrt(jnp.sum(x**2))


# defjvps: one tangent rule per argument, given (tangent, output, argument); the direction
# x / |x| is 0 at the zero vector, where x is 0
safe_norm.defjvps(lambda dx, norm, x: jnp.dot(x / jnp.where(norm > 0, norm, 1.0), dx))

points = np.array([[0.0, 0.0, 0.0], [3.0, 4.0, 0.0], [-1.0, 2.0, 0.5]], dtype=np.float32)
rule_grads = jax.vmap(jax.grad(safe_norm))(points)
formula_grads = jax.vmap(jax.grad(lambda x: jnp.sqrt(jnp.sum(x**2))))(points)
print("custom_jvp gradients:\n", rule_grads)
print("sqrt(sum(x**2)) gradients:\n", formula_grads)
np.testing.assert_array_equal(rule_grads[0], [0.0, 0.0, 0.0], err_msg="rule at the zero vector")
assert np.isnan(formula_grads[0]).all(), f"formula at zero: {formula_grads[0]}"
np.testing.assert_allclose(rule_grads[1:], formula_grads[1:], rtol=1e-6, err_msg="away from 0")


# %%
# The same rule as a ``torch.autograd.Function``
# ----------------------------------------------
# In the ``setup_context`` style the forward takes only the inputs, ``setup_context`` saves
# what the backward needs, and ``generate_vmap_rule = True`` lets ``torch.func.vmap`` batch
# both. ``SetupContextRule`` holds the last two for ``SafeNorm``, ``AbsSignRule``, ``RoundSTE``
# and ``NewtonSqrt``, each adding a forward and a backward. ``SafeNorm`` chooses 0 at zero too.
class SetupContextRule(torch.autograd.Function):
    generate_vmap_rule = True

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs, output)


class SafeNorm(SetupContextRule):
    @staticmethod
    def forward(x):
        return torch.sqrt(torch.sum(x**2))

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        return grad * x / torch.where(norm > 0, norm, 1.0)


def per_point_gradients(f):
    return torch.func.vmap(torch.func.grad(f))(torch.from_numpy(points)).numpy()


torch_rule = per_point_gradients(SafeNorm.apply)
torch_formula = per_point_gradients(lambda x: torch.sqrt(torch.sum(x**2)))
print("SafeNorm gradients:\n", torch_rule)
print("sqrt(sum(x**2)) gradient at zero:", torch_formula[0])
np.testing.assert_array_equal(torch_rule[0], [0.0, 0.0, 0.0], err_msg="SafeNorm at zero")
assert np.isnan(torch_formula[0]).all(), f"torch formula at zero: {torch_formula[0]}"
np.testing.assert_allclose(torch_rule[1:], torch_formula[1:], rtol=1e-6, err_msg="SafeNorm")


# %%
# ``abs`` with a sign rule
# ------------------------
# At 0 ``abs`` has no derivative, and the frameworks' conventions differ
# (:doc:`/auto_examples/caveats/plot_kinks_and_non_differentiable_ops`): ``jax.grad(jnp.abs)``
# returns 1 there, ``torch.func.grad(torch.abs)`` 0. A rule ``sign(x)`` picks 0 in both.
@jax.custom_jvp
def abs_sign_rule(x):
    return jnp.abs(x)


abs_sign_rule.defjvps(lambda dx, output, x: jnp.sign(x) * dx)


class AbsSignRule(SetupContextRule):
    @staticmethod
    def forward(x):
        return torch.abs(x)

    @staticmethod
    def backward(ctx, grad):
        x, _ = ctx.saved_tensors
        return torch.sign(x) * grad


xs = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
jax_abs = jax.vmap(jax.grad(abs_sign_rule))(xs)
torch_abs = torch.func.vmap(torch.func.grad(AbsSignRule.apply))(torch.from_numpy(xs))
print(f"sign rule at {xs.tolist()}: JAX {jax_abs.tolist()}, PyTorch {torch_abs.tolist()}")
plain_at_zero = {
    "jax.grad(jnp.abs)": jax.grad(jnp.abs)(0.0).item(),
    "torch.func.grad(torch.abs)": torch.func.grad(torch.abs)(torch.tensor(0.0)).item(),
}
print(f"without a rule, at 0: {plain_at_zero}")
np.testing.assert_array_equal(jax_abs, [-1.0, 0.0, 1.0], err_msg="JAX sign rule")
np.testing.assert_array_equal(torch_abs.numpy(), [-1.0, 0.0, 1.0], err_msg="PyTorch sign rule")
assert plain_at_zero == {"jax.grad(jnp.abs)": 1.0, "torch.func.grad(torch.abs)": 0.0}, (
    f"conventions at 0: {plain_at_zero}"
)


# %%
# A straight-through estimator
# ----------------------------
# ``round`` has derivative 0 wherever it has one, so a loss of rounded weights gives no
# gradient to follow. A straight-through estimator rounds in the forward and passes the
# gradient through unchanged in the backward: the rule's value, not ``round``'s, reaches the
# weights, here ``2 (round(w) - target)``.
@jax.custom_jvp
def round_ste(x):
    return jnp.round(x)


round_ste.defjvps(lambda dx, output, x: dx)  # identity: round's zero derivative is ignored


class RoundSTE(SetupContextRule):
    @staticmethod
    def forward(x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


w = np.array([0.2, 1.7, -0.6], dtype=np.float32)
target = np.ones(3, dtype=np.float32)
expected = 2 * (np.round(w) - target)
grads = {
    "JAX round": jax.grad(lambda w: jnp.sum((jnp.round(w) - target) ** 2))(w),
    "JAX STE": jax.grad(lambda w: jnp.sum((round_ste(w) - target) ** 2))(w),
    "PyTorch STE": torch.func.grad(
        lambda w: torch.sum((RoundSTE.apply(w) - torch.from_numpy(target)) ** 2)
    )(torch.from_numpy(w)),
}
for name, grad in grads.items():
    print(f"{name:12s} gradient {np.asarray(grad).tolist()}")
print(f"2 (round(w) - target) = {expected.tolist()}")
np.testing.assert_array_equal(grads["JAX round"], [0.0, 0.0, 0.0], err_msg="plain round")
np.testing.assert_allclose(grads["JAX STE"], expected, err_msg="JAX STE")
np.testing.assert_allclose(grads["PyTorch STE"].numpy(), expected, err_msg="PyTorch STE")


# %%
# Clipping the gradient inside a rule
# -----------------------------------
# An identity forward whose backward rescales the cotangent to a norm of at most
# ``max_norm`` clips the gradient at one place in the graph, leaving the value alone. In JAX a
# ``custom_vjp`` with ``max_norm`` as a non-differentiable argument (its ``bwd`` gets it first,
# then the residuals, here none); in PyTorch ``max_norm`` is kept on ``ctx``, as it is not a
# tensor, and the backward returns ``None`` for it. The gradient of ``10 * sum(x)``, of norm
# ``10 sqrt(3)``, comes out with norm 1.
@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def clip_gradient_norm(x, max_norm):
    return x


clip_gradient_norm.defvjp(
    lambda x, max_norm: (x, None),
    lambda max_norm, _, cotangent: (
        cotangent * jnp.minimum(1.0, max_norm / jnp.linalg.norm(cotangent)),
    ),
)


class ClipGradientNorm(torch.autograd.Function):
    @staticmethod
    def forward(x, max_norm):
        return x.clone()

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.max_norm = inputs[1]

    @staticmethod
    def backward(ctx, grad):
        return grad * torch.clamp(ctx.max_norm / grad.norm(), max=1.0), None


x = np.array([1.0, -2.0, 0.5], dtype=np.float32)
unclipped = jax.grad(lambda x: 10 * jnp.sum(x))(x)
print(f"unclipped gradient {unclipped}, norm {np.linalg.norm(unclipped):.4f}")
np.testing.assert_allclose(np.linalg.norm(unclipped), 10 * 3**0.5, rtol=1e-6, err_msg="10 sqrt(3)")
jax_clipped = jax.grad(lambda x: 10 * jnp.sum(clip_gradient_norm(x, 1.0)))(x)
torch_clipped = torch.func.grad(lambda x: 10 * ClipGradientNorm.apply(x, 1.0).sum())(
    torch.from_numpy(x)
)
print(f"clipped gradients: JAX {jax_clipped}, PyTorch {torch_clipped.numpy()}")
print(f"norms: JAX {np.linalg.norm(jax_clipped):.6f}, PyTorch {torch_clipped.norm():.6f}")
for name, clipped in [("JAX", np.asarray(jax_clipped)), ("PyTorch", torch_clipped.numpy())]:
    np.testing.assert_allclose(np.linalg.norm(clipped), 1.0, rtol=1e-6, err_msg=f"{name} norm")
    np.testing.assert_allclose(clipped, np.full(3, 3**-0.5), rtol=1e-6, err_msg=name)
np.testing.assert_array_equal(clip_gradient_norm(x, 1.0), x, err_msg="the forward is identity")


# %%
# The rule is the boundary autodiff sees
# --------------------------------------
# A backward pass does not differentiate a rule's forward, so the forward may leave the
# framework. Here it runs Newton's method for ``sqrt(a)`` on a Python float from ``.item()``,
# in a ``while`` loop: nothing in it is recorded. The output's graph node is the Function's,
# and a backward pass calls its backward once, however many iterations the forward ran (the
# straight-through estimator above showed the other half: the rule's value is what arrives).
# ``torch.func.grad`` takes it too; in torch |torch_version| ``torch.func.vmap`` refuses the
# ``.item()`` (:ref:`error-torch-vmap-item`) and ``torch.compile`` splits its graph there. In
# jax |jax_version|, ``float(a)`` works in this ``custom_jvp``'s forward under a bare
# ``jax.grad``: the jvp rule runs once and calls it with the concrete primal, not a tracer.
# In ordinary code under ``jax.grad``, ``float(x)`` raises
# (:ref:`error-concretizationtypeerror`); under ``jit`` or ``vmap`` the forward gets a tracer,
# and the live table's row with a Python ``if`` in the forward shows the refusal.
calls = {"forward loop iterations": 0, "backward": 0, "jvp rule": 0}


def newton_sqrt_float(a_value):
    root = 1.0
    while abs(root * root - a_value) > 1e-12:
        root = (root + a_value / root) / 2
        calls["forward loop iterations"] += 1
    return root


class NewtonSqrt(SetupContextRule):
    @staticmethod
    def forward(a):
        return torch.tensor(newton_sqrt_float(a.item()), dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        calls["backward"] += 1
        _, root = ctx.saved_tensors
        return grad / (2 * root)


a = torch.tensor(10.0, dtype=torch.float64, requires_grad=True)
root = NewtonSqrt.apply(a)
(3 * root).backward()
iterations = calls["forward loop iterations"]
print(f"graph node {type(root.grad_fn).__name__}, gradient {a.grad.item():.10f}")
print(f"forward loop iterations {iterations}, backward calls {calls['backward']}")
assert type(root.grad_fn).__name__ == "NewtonSqrtBackward", f"node {root.grad_fn}"
assert iterations > 1, f"the loop ran {iterations} times"
assert calls["backward"] == 1, f"backward ran {calls['backward']} times"
np.testing.assert_allclose(a.grad.item(), 3 / (2 * 10**0.5), rtol=1e-12, err_msg="3 d sqrt/da")
func_grad = torch.func.grad(NewtonSqrt.apply)(a.detach()).item()
torch._dynamo.utils.counters.clear()  # forget earlier compilations' breaks
report = torch._dynamo.explain(lambda a: 3 * NewtonSqrt.apply(a))(a)
cause = [b.splitlines()[0] for b in torch._dynamo.utils.counters["graph_break"]]
breaks = report.graph_break_count
print(f"func.grad {func_grad:.6f}; torch.compile: {breaks} break: {cause}")
np.testing.assert_allclose(func_grad, 0.5 / 10**0.5, rtol=1e-12, err_msg="grad")
assert breaks == 1 and "Tensor.item()" in cause[0], f"{breaks} breaks: {cause}"
try:
    torch.func.vmap(NewtonSqrt.apply)(torch.tensor([4.0, 9.0]))
except RuntimeError as err:
    print(f"torch.func.vmap: {type(err).__name__}: {str(err).split('. ')[0]}.")
    assert ".item()" in str(err), f"message: {err}"
else:
    raise AssertionError("torch.func.vmap of NewtonSqrt no longer raises")


@jax.custom_jvp
def newton_sqrt(a):
    return jnp.asarray(newton_sqrt_float(float(a)))


@newton_sqrt.defjvp
def newton_sqrt_jvp(primals, tangents):
    calls["jvp rule"] += 1
    (a,), (da,) = primals, tangents
    root = newton_sqrt(a)
    return root, da / (2 * root)


jax_sqrt_grad = jax.grad(lambda a: 3 * newton_sqrt(a))(10.0)
print(f"jax.grad: {jax_sqrt_grad:.6f}, jvp rule calls {calls['jvp rule']}")
assert calls["jvp rule"] == 1, f"the jvp rule ran {calls['jvp rule']} times"
np.testing.assert_allclose(jax_sqrt_grad, 3 / (2 * 10**0.5), rtol=1e-6, err_msg="JAX Newton")
try:
    jax.grad(lambda x: x * float(x))(10.0)
except jax.errors.ConcretizationTypeError as err:
    print(f"jax.grad of float(x): {type(err).__name__}: {err}".splitlines()[0])
else:
    raise AssertionError("jax.grad of float(x) no longer raises")


# %%
# Two refusals
# ------------
# The rule must suit the transformation. An old-style Function (``ctx`` as the forward's first
# argument) still works with ``backward()``, but ``torch.func.grad`` refuses it: ``torch.func``
# needs the forward and ``setup_context`` apart. A ``custom_vjp`` defines reverse mode only,
# so ``jax.jvp`` refuses it, while a ``custom_jvp`` serves both modes. The live table on
# :doc:`/guide/expert_tools` has these kinds of rule, and variants, under ``grad``, ``jvp``,
# ``vmap``, the compilers and ``grad`` of ``grad``.
class AbsSignRuleOldStyle(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return torch.sign(x) * grad


x0 = torch.tensor(0.0, requires_grad=True)
AbsSignRuleOldStyle.apply(x0).backward()
print(f"old style, backward(): gradient at 0 is {x0.grad.item()}")
np.testing.assert_array_equal(x0.grad.item(), 0.0, err_msg="old-style Function with backward()")
try:
    torch.func.grad(AbsSignRuleOldStyle.apply)(torch.tensor(0.0))
except RuntimeError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:3]))
    assert "must override the setup_context staticmethod" in message, f"message: {message}"
else:
    raise AssertionError("torch.func.grad of an old-style Function no longer raises RuntimeError")

try:
    jax.jvp(lambda x: clip_gradient_norm(x, 1.0), (x,), (np.ones_like(x),))
except TypeError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:3]))
    assert "can't apply forward-mode autodiff (jvp) to a custom_vjp" in message, message
else:
    raise AssertionError("jax.jvp of a custom_vjp no longer raises TypeError")

value, tangent = jax.jvp(abs_sign_rule, (0.0,), (1.0,))
print(f"jax.jvp of the custom_jvp abs at 0: value {value}, tangent {tangent}")
np.testing.assert_array_equal([value, tangent], [0.0, 0.0], err_msg="jvp of abs_sign_rule")
