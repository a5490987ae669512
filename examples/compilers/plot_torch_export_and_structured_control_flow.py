"""
===================================================================
``torch.export``, guards and ``torch.cond``: branches in one graph
===================================================================

``torch.compile`` may split a graph at a data-dependent ``if``; ``torch.export`` may not: it
must hand over one whole program. You will see the error ``torch.export.export`` raises on a
Python ``if`` over a tensor's value and ``torch.cond`` as the fix, exported and run on both
branches; how ``torch.compile`` guards a branch on a Python value and recompiles, and what
happens at the recompile limit; what ``capture_scalar_outputs`` changes for ``.item()`` and
for a branch on it; and the gradient ``torch.cond`` gives a tensor that only the branch not
taken uses. Graph breaks in a ``while`` loop, ``fullgraph=True`` and what ``torch.cond`` cannot
do under ``torch.func`` are shown in :doc:`/auto_examples/compilers/plot_torch_compile_branches`
and :doc:`/auto_examples/compilers/plot_torch_func_and_trace`. The JAX section shows
``jax.export``. The guide page :doc:`/guide/compilers` puts these examples in order.
"""

# %%
# ``torch.export`` refuses a Python ``if`` on a tensor's value
# ------------------------------------------------------------
# ``torch.export.export`` traces the module with symbolic stand-ins. By default (non-strict
# mode) it runs the Python code itself, and the ``if`` asks for the truth value of a
# condition that has no value at export time: the tracer refuses to guard on it.
import contextlib
import io
import unittest

import jax
import jax.numpy as jnp
import numpy as np
import torch
import torch._dynamo
from torch._dynamo.utils import guard_failures
from torch.fx.experimental.symbolic_shapes import GuardOnDataDependentSymNode


class PythonIf(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x**2
        return -x


example = (torch.tensor([2.0]),)
try:
    # Before raising, torch prints the graphs it traced to stderr: kept out of this page.
    with contextlib.redirect_stderr(io.StringIO()):
        torch.export.export(PythonIf(), example)
except GuardOnDataDependentSymNode as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:3]))
    assert "Could not guard on data-dependent expression" in message, f"message: {message}"
else:
    raise AssertionError("torch.export.export(PythonIf()) no longer raises")


# %%
# ``torch.cond`` exports, and the exported program takes both branches
# --------------------------------------------------------------------
# With ``torch.cond`` both branches become subgraphs of one exported graph, and the
# predicate is evaluated when the program runs. The exported module squares a positive input
# and negates a negative one; gradients flow through it as well.
class WithCond(torch.nn.Module):
    def forward(self, x):
        return torch.cond(x.sum() > 0, lambda x: x**2, lambda x: -x, (x,))


exported = torch.export.export(WithCond(), example)
print("higher-order op in the graph:", "torch.ops.higher_order.cond" in exported.graph_module.code)
assert "torch.ops.higher_order.cond" in exported.graph_module.code, exported.graph_module.code
program = exported.module()
for value, expected_value, expected_grad in [(3.0, 9.0, 6.0), (-3.0, 3.0, -1.0)]:
    x = torch.tensor([value], requires_grad=True)
    y = program(x)
    y.sum().backward()
    print(f"exported at {value}: value {y.item()}, gradient {x.grad.item()}")
    np.testing.assert_allclose(y.item(), expected_value, err_msg=f"exported value at {value}")
    np.testing.assert_allclose(x.grad.item(), expected_grad, err_msg=f"gradient at {value}")


# %%
# A branch on a Python number becomes a guard
# -------------------------------------------
# ``torch.compile`` decides an ``if`` on a Python ``int`` while tracing and records a *guard*
# on the value; a call that breaks a guard is recompiled. The first graph bakes ``n = 1`` in;
# a second value makes ``n`` a symbolic input, guarded by the side of the ``if`` it took; ``3``
# fails that guard and compiles the other branch; ``4`` and ``5`` reuse it. A backend that
# records graphs counts the compilations; ``guard_failures`` gives the guards that failed.
def scale_or_shift(x, n):
    if n > 2:
        return x * n
    return x - n


graphs = []


def recording_backend(graph_module, example_inputs):
    graphs.append(graph_module)
    return graph_module.forward


torch._dynamo.reset()
compiled = torch.compile(scale_or_shift, backend=recording_backend)
graphs_after_call = []
for n in [1, 2, 3, 4, 5]:
    compiled(torch.tensor([1.0]), n)
    graphs_after_call.append(len(graphs))
failed = [r.split("#")[0].split(":", 1)[1].strip() for r in guard_failures[scale_or_shift.__code__]]
failed_guards = list(dict.fromkeys(failed))
graph_inputs = [[n.name for n in gm.graph.nodes if n.op == "placeholder"] for gm in graphs]
graph_operations = [
    [n.target.__name__ for n in gm.graph.nodes if n.op == "call_function"] for gm in graphs
]
print("graphs after each call (n = 1..5):", graphs_after_call)
print("inputs of each graph:", graph_inputs, "operations:", graph_operations)
print("guards that failed:", failed_guards)
assert "l_n_" not in graph_inputs[0], f"n is an input of the first graph: {graph_inputs}"
assert "l_n_" in graph_inputs[1], f"n is not an input of the second graph: {graph_inputs}"
assert graph_operations == [["sub"], ["sub"], ["mul"]], f"operations {graph_operations}"
assert graphs_after_call == [1, 2, 3, 3, 3], f"graph counts {graphs_after_call}"
assert failed_guards == ["n == 1", "n <= 2"], f"failed guards {failed_guards}"


# %%
# At the recompile limit, ``torch.compile`` falls back to eager
# -------------------------------------------------------------
# A string argument is guarded by its value, so each new value is a new graph. After
# ``recompile_limit`` graphs (the default is printed; 2 here, patched for this cell only)
# Dynamo logs a warning once and runs further new values eagerly: results stay right, the
# graph count stops growing. With ``fail_on_recompile_limit_hit=True`` it raises instead.
def activation(x, name):
    if name == "relu":
        return torch.relu(x)
    if name == "tanh":
        return torch.tanh(x)
    return -x


default_limit = torch._dynamo.config.recompile_limit
print("default recompile_limit:", default_limit)
x = torch.tensor([-1.0, 2.0])
torch._dynamo.reset()
graphs.clear()
# assertLogs collects the records of a logger (and fails if there are none)
with unittest.TestCase().assertLogs("torch._dynamo", "WARNING") as logged:
    with torch._dynamo.config.patch(recompile_limit=2):
        compiled = torch.compile(activation, backend=recording_backend)
        for name in ["relu", "tanh", "neg", "identity", "relu"]:
            torch.testing.assert_close(compiled(x, name), activation(x, name), msg=name)
limit_warnings = [r.getMessage() for r in logged.records if "recompile_limit" in r.getMessage()]
print(f"{len(graphs)} graphs for 4 names, {len(limit_warnings)} warning:")
print(limit_warnings[0].splitlines()[0])
assert len(graphs) == 2, f"{len(graphs)} graphs with recompile_limit=2"
assert len(limit_warnings) == 1, f"warnings: {limit_warnings}"

torch._dynamo.reset()
with torch._dynamo.config.patch(recompile_limit=2, fail_on_recompile_limit_hit=True):
    compiled = torch.compile(activation, backend=recording_backend)
    for name in ["relu", "tanh"]:
        compiled(x, name)
    try:
        compiled(x, "neg")
    except torch._dynamo.exc.FailOnRecompileLimitHit as err:
        message = str(err).strip()
        print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:3]))
        assert "fail_on_recompile_limit_hit" in message, f"message: {message}"
    else:
        raise AssertionError("the third name no longer raises FailOnRecompileLimitHit")
assert torch._dynamo.config.recompile_limit == default_limit, "recompile_limit not restored"


# %%
# ``capture_scalar_outputs``: ``.item()`` inside the graph, a branch on it still breaks
# -------------------------------------------------------------------------------------
# By default ``.item()`` ends the graph. With ``capture_scalar_outputs=True`` the number stays
# in the graph as a symbolic value, and ``x * x.mean().item()`` is one graph. An ``if`` on
# that number still has no value at compile time: the graph breaks at the ``if``, and
# ``fullgraph=True`` raises a ``UserError``: "Could not guard on data-dependent expression",
# as ``torch.export`` did above.
def scale_by_mean(x):
    return x * x.mean().item()


def branch_on_mean(x):
    mean = x.mean().item()
    if mean > 0:
        return x * 2
    return -x


counts, break_lines = {}, {}
for capture in [False, True]:
    with torch._dynamo.config.patch(capture_scalar_outputs=capture):
        for fn in [scale_by_mean, branch_on_mean]:
            torch._dynamo.reset()
            report = torch._dynamo.explain(fn)(torch.tensor([1.0, 2.0]))
            counts[capture, fn.__name__] = (report.graph_count, report.graph_break_count)
            breaks = [
                (r.reason.splitlines()[0], r.user_stack[-1].line) for r in report.break_reasons
            ]
            break_lines[capture, fn.__name__] = [line for reason, line in breaks]
            print(f"capture={capture}, {fn.__name__}: {report.graph_count} graph(s)", breaks)
assert counts[False, "scale_by_mean"] == (2, 1), f"(graphs, breaks): {counts}"
assert counts[True, "scale_by_mean"] == (1, 0), f"(graphs, breaks): {counts}"
assert counts[True, "branch_on_mean"] == (2, 1), f"(graphs, breaks): {counts}"
for capture, line in [(False, "mean = x.mean().item()"), (True, "if mean > 0:")]:
    assert break_lines[capture, "branch_on_mean"] == [line], f"breaks at {break_lines}"

torch._dynamo.reset()
with torch._dynamo.config.patch(capture_scalar_outputs=True):
    try:
        torch.compile(branch_on_mean, backend="eager", fullgraph=True)(torch.tensor([1.0, 2.0]))
    except torch._dynamo.exc.UserError as err:
        message = str(err).strip()
        print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:1]))
        assert "Could not guard on data-dependent expression" in message, f"message: {message}"
    else:
        raise AssertionError("fullgraph=True with a branch on .item() no longer raises")


# %%
# The branch not taken: ``None`` with ``if``, a zero tensor with ``torch.cond``
# -----------------------------------------------------------------------------
# ``w`` is used only by the branch for ``x <= 0``. Called at ``x = 2``, a Python ``if`` never
# touches ``w``, so autograd leaves ``w.grad`` as ``None``; ``torch.cond`` recorded both
# branches, and its backward returns an explicit zero for ``w``.
def python_if(x, w):
    if x > 0:
        return x**2
    return 3 * w


def cond_version(x, w):
    return torch.cond(x > 0, lambda x, w: x**2, lambda x, w: 3 * w, (x, w))


unused_grads = {}
for fn in [python_if, cond_version]:
    x, w = torch.tensor(2.0, requires_grad=True), torch.tensor(5.0, requires_grad=True)
    fn(x, w).backward()
    unused_grads[fn.__name__] = w.grad
    print(f"{fn.__name__}: x.grad = {x.grad.item()}, w.grad = {w.grad}")
    np.testing.assert_allclose(x.grad.item(), 4.0, err_msg=f"{fn.__name__}: x.grad")
assert unused_grads["python_if"] is None, f"python_if: w.grad {unused_grads['python_if']}"
cond_w_grad = unused_grads["cond_version"]
assert cond_w_grad is not None and cond_w_grad.item() == 0.0, f"torch.cond: w.grad {cond_w_grad}"


# %%
# JAX: ``jax.export`` raises on the ``if``, exports ``lax.cond``; unused gradients are zeros
# ------------------------------------------------------------------------------------------
# ``jax.export`` traces like ``jax.jit``, so a Python ``if`` on a traced value raises the
# error explained at :ref:`error-tracerboolconversionerror`, and ``lax.cond`` exports with
# both branches. ``jax.grad`` has no ``None``: an unused input gets a zero gradient whether
# the branch is a Python ``if`` or ``lax.cond``.
def jax_python_if(x):
    if x > 0:
        return x**2
    return -x


scalar = jax.ShapeDtypeStruct((), jnp.float32)
try:
    jax.export.export(jax.jit(jax_python_if))(scalar)
except jax.errors.TracerBoolConversionError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:1]))
    assert "Attempted boolean conversion" in message, f"message: {message}"
else:
    raise AssertionError("jax.export of a Python if no longer raises")
jax_exported = jax.export.export(
    jax.jit(lambda x: jax.lax.cond(x > 0, jnp.square, jnp.negative, x))
)(scalar)
jax_values = [float(jax_exported.call(jnp.float32(v))) for v in [3.0, -3.0]]
print("exported lax.cond at 3 and -3:", jax_values)
np.testing.assert_allclose(jax_values, [9.0, 3.0], err_msg="exported lax.cond")


def lax_cond_version(x, w):
    return jax.lax.cond(x > 0, lambda: x**2, lambda: 3 * w)


for fn in [python_if, lax_cond_version]:
    w_grad = jax.grad(fn, argnums=1)(2.0, 5.0)
    print(f"jax.grad of {fn.__name__} with respect to the unused w: {w_grad}")
    np.testing.assert_allclose(w_grad, 0.0, err_msg=f"jax.grad of {fn.__name__}, unused w")
