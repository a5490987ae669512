"""
==================================================
Tracing versus taping: why compilers need ``cond``
==================================================

A tape (see :doc:`/auto_examples/under_the_hood/plot_minimal_tape`) runs the
function on real numbers, so Python's ``if`` is decided on the spot and only the
executed branch is recorded. A *tracer*, the thing inside ``jax.jit``,
``jax.make_jaxpr``, ``torch.fx.symbolic_trace`` and ``torch.export``, runs the
function once on placeholders that know only a shape and a dtype, to record one
program valid for *every* input. Such a placeholder cannot say whether
``x > 1``, so a Python ``if`` on it has no answer.

Below, a ten-line toy tracer fails on a Python ``if`` exactly the way the real
ones do, and a structured ``cond`` fixes it by recording both branches. Then the
same on real JAX and PyTorch. The prose version is in :doc:`/guide/why_it_works`.
"""

# %%
# An abstract tracer in a few lines
# ---------------------------------
# ``Abstract`` stands for "some float32 scalar". Each operation appends a line to
# a shared program and returns a new placeholder; ``x > 1`` returns a *bool
# placeholder*, not ``True`` or ``False``. Python's ``if`` calls ``__bool__`` on
# it, and the only honest thing the tracer can do there is raise.


class Abstract:
    """A traced value: it knows its shape and dtype, never its number."""

    def __init__(self, program, name, shape=(), dtype="f32"):
        self.program, self.name, self.shape, self.dtype = program, name, shape, dtype

    def record(self, op, *args, dtype=None):
        out = Abstract(self.program, f"v{len(self.program)}", self.shape, dtype or self.dtype)
        names = " ".join(a.name if isinstance(a, Abstract) else repr(a) for a in args)
        self.program.append(f"{out.name}:{out.dtype}{list(out.shape)} = {op} {names}")
        return out

    def __mul__(self, other): return self.record("mul", self, other)
    def __add__(self, other): return self.record("add", self, other)
    def __gt__(self, other): return self.record("gt", self, other, dtype="bool")

    def __bool__(self):
        raise TypeError(f"cannot branch on {self.name}:{self.dtype}{list(self.shape)}, "
                        "an abstract value whose number is unknown while tracing")


def trace(f):
    program = []
    out = f(Abstract(program, "x"))
    return program + [f"return {out.name}"]


def f(x):  # the site's starting example
    return x * x if x > 1 else x + 2


try:
    trace(f)
except TypeError as err:
    print(f"toy tracer: {type(err).__name__}: {err}")
    toy_err = err
assert isinstance(toy_err, TypeError)

# %%
# A structured conditional records both branches
# -----------------------------------------------
# The fix is to hand the tracer *both* branches as functions, instead of
# letting Python pick one. ``cond`` traces ``true_fn`` and ``false_fn`` on the
# same placeholder and records a ``select`` that chooses between them once the
# number is known, at run time. The recorded program now works for every ``x``.


def cond(pred, true_fn, false_fn, x):
    t, f = true_fn(x), false_fn(x)  # trace BOTH branches
    return t.record("select", pred, t, f)


def f_cond(x):
    return cond(x > 1, lambda x: x * x, lambda x: x + 2, x)


program = trace(f_cond)
print("\n".join(program))
assert any(" = mul " in line for line in program) and any(" = add " in line for line in program)
assert any(" = select " in line for line in program)

# %%
# JAX: the real error and the real ``cond``
# -----------------------------------------
# ``jax.jit`` traces with abstract values, so the Python ``if`` fails the same
# way. In jax 0.10.2 the error class is ``TracerBoolConversionError``, a subclass
# of ``ConcretizationTypeError`` (and of ``TypeError``, like our toy).
import jax
import jax.numpy as jnp

try:
    jax.jit(f)(2.0)
except Exception as err:
    print(f"{type(err).__name__}: {str(err).splitlines()[0]}")
    jit_err = err
assert type(jit_err).__name__ == "TracerBoolConversionError"
assert isinstance(jit_err, jax.errors.ConcretizationTypeError) and isinstance(jit_err, TypeError)

# %%
# With ``jax.lax.cond`` the jaxpr holds both branches as sub-programs. Unlike
# our toy ``select``, JAX's ``cond`` executes only the chosen branch at run time
# (it becomes a select only under ``vmap``); ``jnp.where`` is the true analogue
# of our toy, computing both and selecting with ``select_n``.


def f_lax(x):
    return jax.lax.cond(x > 1, lambda x: x * x, lambda x: x + 2, x)


jaxpr = str(jax.make_jaxpr(f_lax)(2.0))
print(jaxpr)
assert "cond" in jaxpr and "mul" in jaxpr and "add" in jaxpr
jaxpr_where = str(jax.make_jaxpr(lambda x: jnp.where(x > 1, x * x, x + 2))(2.0))
print(jaxpr_where)
assert "select_n" in jaxpr_where

# %%
# One compiled program now serves both sides of the branch, and its gradient is
# the gradient of the branch taken: ``2 x`` for ``x > 1``, ``1`` otherwise.
df = jax.jit(jax.grad(f_lax))
for x0, expected in [(2.0, 2 * 2.0), (0.5, 1.0)]:
    print(f"jit(grad(f_lax))({x0}) = {float(df(x0))}   expected {expected}")
    assert abs(float(df(x0)) - expected) < 1e-6

# %%
# PyTorch: ``torch.fx`` and ``torch.cond``
# ----------------------------------------
# ``torch.fx.symbolic_trace`` is PyTorch's purely abstract tracer and fails on
# the Python ``if`` with ``TraceError``. ``torch.cond`` is the structured
# version: ``torch.export`` records it with both branches as subgraphs.
# (``torch.compile`` behaves differently: Dynamo does not raise, it breaks the
# graph at a data-dependent ``if`` and lets Python decide; that is the topic of
# the compilers section.)
import torch

try:
    torch.fx.symbolic_trace(f)
except Exception as err:
    print(f"{type(err).__name__}: {str(err).splitlines()[0]}")
    fx_err = err
assert isinstance(fx_err, torch.fx.proxy.TraceError)


class CondModel(torch.nn.Module):
    def forward(self, x):
        return torch.cond(x > 1, lambda x: x * x, lambda x: x + 2, (x,))


exported = torch.export.export(CondModel(), (torch.tensor(2.0),))
gm = exported.graph_module
print(gm.code, gm.true_graph_0.code, gm.false_graph_0.code, sep="")
assert "torch.ops.higher_order.cond" in gm.code
assert "aten.mul" in gm.true_graph_0.code and "aten.add" in gm.false_graph_0.code
for x0, expected in [(2.0, 2.0 * 2.0), (0.5, 0.5 + 2)]:
    y = exported.module()(torch.tensor(x0)).item()
    print(f"exported program at x = {x0}: {y}   expected {expected}")
    assert abs(y - expected) < 1e-6
