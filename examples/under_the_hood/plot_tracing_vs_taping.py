"""
==================================================
Tracing versus taping: why compilers need ``cond``
==================================================

A tape (:doc:`/auto_examples/under_the_hood/plot_minimal_tape`) runs the function on real
numbers, so Python's ``if`` is decided on the spot. A *tracer* (inside ``jax.jit``,
``torch.fx.symbolic_trace``, ``torch.export``) runs it once on placeholders without values,
to record one program for many inputs (for ``jax.jit``, every input of one shape and dtype).
An ``if`` on a placeholder's *value* has no answer there (an ``if`` on its shape may, see
:doc:`/auto_examples/compilers/plot_branch_on_shape_or_value`), and ``torch.compile``, which
is not a pure tracer, splits the graph instead of raising. You will see a toy tracer
fail like the real ones, a toy ``cond`` that records both branches, then the real JAX and
PyTorch. The prose version is in :doc:`/guide/why_it_works`.
"""


# %%
# An abstract tracer in a few lines
# ---------------------------------
# ``Abstract`` stands for "some float32 scalar". Each operation appends a line to a shared
# program and returns a new placeholder; ``x > 1`` returns a *bool placeholder*, not ``True``
# or ``False``. Python's ``if`` calls ``__bool__`` on it, and the only honest thing the tracer
# can do there is raise.
class Abstract:
    """A traced value: it knows its shape and dtype, never its number."""

    def __init__(self, program, name, shape=(), dtype="f32"):
        self.program, self.name, self.shape, self.dtype = program, name, shape, dtype

    def record(self, op, *args, dtype=None):
        out = Abstract(self.program, f"v{len(self.program)}", self.shape, dtype or self.dtype)
        names = " ".join(a.name if isinstance(a, Abstract) else repr(a) for a in args)
        self.program.append(f"{out.name}:{out.dtype}{list(out.shape)} = {op} {names}")
        return out

    def __mul__(self, other):
        return self.record("mul", self, other)

    def __add__(self, other):
        return self.record("add", self, other)

    def __gt__(self, other):
        return self.record("gt", self, other, dtype="bool")

    def __bool__(self):
        raise TypeError(f"cannot branch on {self.name}:{self.dtype}{list(self.shape)}")


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
else:
    raise AssertionError("the toy tracer no longer raises TypeError on a Python if")


# %%
# A structured conditional records both branches
# -----------------------------------------------
# The fix is to hand the tracer *both* branches as functions instead of letting Python pick
# one. ``cond`` traces ``true_fn`` and ``false_fn`` on the same placeholder and records a
# ``select`` that chooses between them once the number is known, at run time. The recorded
# program now works for every ``x``.
def cond(pred, true_fn, false_fn, x):
    on_true, on_false = true_fn(x), false_fn(x)  # trace BOTH branches
    return on_true.record("select", pred, on_true, on_false)


program = trace(lambda x: cond(x > 1, lambda x: x * x, lambda x: x + 2, x))
print("\n".join(program))
recorded_ops = [line.split(" = ")[1].split()[0] for line in program[:-1]]
assert recorded_ops == ["gt", "mul", "add", "select"], f"toy program records {recorded_ops}"

# %%
# JAX: ``lax.cond``, a select only for a batched predicate
# --------------------------------------------------------
# ``jax.jit`` fails on the Python ``if`` of ``f`` just like the toy (see
# :doc:`/auto_examples/compilers/plot_jit_and_python_branches`). With ``jax.lax.cond`` the jaxpr
# holds both branches as sub-programs, and unlike the toy only the chosen one runs. Under
# ``vmap`` with a *batched* predicate it becomes a ``select_n`` that runs both, like the toy;
# with a predicate shared by the batch (``in_axes=None``) it stays a ``cond``.
import jax
import jax.numpy as jnp


def f_lax(x):
    return jax.lax.cond(x > 1, lambda x: x * x, lambda x: x + 2, x)


def f_shared_flag(x, flag):  # the predicate depends on flag only
    return jax.lax.cond(flag > 1, lambda x: x * x, lambda x: x + 2, x)


def primitives(fn, *args):
    return sorted({str(eqn.primitive) for eqn in jax.make_jaxpr(fn)(*args).eqns})


xs = jnp.array([2.0, 0.5])
batched = primitives(jax.vmap(f_lax), xs)
shared = primitives(jax.vmap(f_shared_flag, in_axes=(0, None)), xs, 2.0)
print("no vmap:                ", primitives(f_lax, 2.0))
print("vmap, batched predicate:", batched)
print("vmap, shared predicate: ", shared)
assert "select_n" in batched, f"batched predicate: {batched}"
assert "cond" not in batched, f"batched predicate: {batched}"
assert "cond" in shared, f"shared predicate: {shared}"


# %%
# PyTorch: ``torch.fx`` fails, ``torch.cond`` exports
# ---------------------------------------------------
# ``torch.fx.symbolic_trace`` is PyTorch's purely abstract tracer and fails on the Python
# ``if`` with ``TraceError``. ``torch.cond`` is the structured version: ``torch.export``
# records it with both branches as subgraphs.
import torch
import torch._dynamo

try:
    torch.fx.symbolic_trace(f)
except torch.fx.proxy.TraceError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("torch.fx.symbolic_trace(f) no longer raises TraceError")


class CondModel(torch.nn.Module):
    def forward(self, x):
        return torch.cond(x > 1, lambda x: x * x, lambda x: x + 2, (x,))


exported = torch.export.export(CondModel(), (torch.tensor(2.0),))
graph_module = exported.graph_module
print(graph_module.true_graph_0.code, graph_module.false_graph_0.code, sep="")
assert "torch.ops.higher_order.cond" in graph_module.code, "exported graph has no cond"

# %%
# ``torch.compile`` is not a pure tracer
# --------------------------------------
# TorchDynamo runs the function's bytecode with real Python at hand: at the data-dependent
# ``if`` of ``f`` it does not raise but splits the graph (two graphs, one break) and lets
# Python decide. How it specializes on shapes, and what else compilers can branch on, is in
# :doc:`/auto_examples/compilers/plot_branch_on_shape_or_value`.
report = torch._dynamo.explain(f)(torch.tensor(2.0))
print(f"f: {report.graph_count} graphs, {report.graph_break_count} graph break")
assert report.graph_count == 2, f"expected 2 graphs, got {report.graph_count}"
assert report.graph_break_count == 1, f"expected 1 break, got {report.graph_break_count}"
