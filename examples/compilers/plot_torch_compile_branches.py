"""
==================================================
``torch.compile``: graph breaks and ``torch.cond``
==================================================

``torch.compile`` does not raise on a data-dependent ``if``: outside a loop, TorchDynamo
ends the graph there (a *graph break*), lets Python take the branch, and compiles what follows
as another graph. You will see the break and its reason, the error ``fullgraph=True`` gives
instead, gradients equal to eager ones, a new graph for the other branch, a break inside a
loop, after which the rest of the function runs eagerly, and ``torch.cond``, which keeps both
branches in one graph. The backends are ``eager`` or a recording one (no C++ toolchain
needed); the JAX section shows ``jax.jit``. The guide is :doc:`/guide/compilers`.
"""

# %%
# Graphs and graph breaks, with their reasons
# -------------------------------------------
# ``branchy`` squares its input when the sum is positive and negates it otherwise.
# ``torch._dynamo.explain`` compiles it once and reports what it captured: one graph computes
# the condition, a second holds the branch taken, and the reason points at the ``if``.
import jax
import numpy as np
import torch
import torch._dynamo
from jax import lax


def branchy(x):
    if x.sum() > 0:
        return (x**2).sum()
    return (-x).sum()


report = torch._dynamo.explain(branchy)(torch.tensor([2.0]))
print(f"{report.graph_count} graphs, {report.graph_break_count} graph break")
for reason in report.break_reasons:
    print("reason:", reason.reason.splitlines()[0], "| at", reason.user_stack[-1].line)
assert report.graph_count == 2, f"{report.graph_count} graphs"
assert report.graph_break_count == 1, f"{report.graph_break_count} breaks"

# %%
# ``fullgraph=True`` turns the break into an error
# ------------------------------------------------
# Asking for a single graph makes TorchDynamo raise at the branch instead of splitting; the
# message names the construct.
torch._dynamo.reset()
try:
    torch.compile(branchy, backend="eager", fullgraph=True)(torch.tensor([2.0]))
except torch._dynamo.exc.Unsupported as err:
    print(f"{type(err).__name__}:", "\n".join(str(err).strip().splitlines()[:2]))
    assert "Data-dependent branching" in str(err), f"the message no longer names it: {err}"
else:
    raise AssertionError("torch.compile(fullgraph=True) no longer raises Unsupported")

# %%
# Gradients match eager mode; the other branch compiles a new graph
# -----------------------------------------------------------------
# A backend is just a function that receives each captured graph; this one records them and
# runs them unchanged, counting the runs (for the next cell). Autograd chains the pieces, so
# compiled gradients equal eager ones on both sides of the ``if``. The condition graph
# (``gt``) and the positive branch (``pow``) are compiled on the first call, the negative
# branch (``neg``) when an input first takes it.
torch._dynamo.reset()
graphs, runs = [], []


def recording_backend(graph_module, example_inputs):
    graphs.append(graph_module)

    def run(*args):
        runs.append(graph_module)
        return graph_module.forward(*args)

    return run


def gradient(fn, value):
    x = torch.tensor([value], requires_grad=True)
    return torch.autograd.grad(fn(x), x)[0]


compiled = torch.compile(branchy, backend=recording_backend)
graphs_after_call = []
for value in [2.0, 3.0, -1.0, -2.0]:
    compiled_grad, eager_grad = gradient(compiled, value), gradient(branchy, value)
    graphs_after_call.append(len(graphs))
    print(f"x = {value}: compiled gradient {compiled_grad.item()}, eager {eager_grad.item()}")
    torch.testing.assert_close(compiled_grad, eager_grad, msg=f"gradient at {value}")


def operations(graph_module):
    nodes = [node for node in graph_module.graph.nodes if node.op.startswith("call")]
    return [getattr(node.target, "__name__", str(node.target)) for node in nodes]


print("graphs compiled after each call:", graphs_after_call)
print("operations in each graph:", [operations(gm) for gm in graphs])
assert graphs_after_call == [2, 2, 3, 3], f"graph counts {graphs_after_call}"
for graph_module, operation in zip(graphs, ["gt", "pow", "neg"]):
    assert operation in operations(graph_module), f"{operation} not in {operations(graph_module)}"


# %%
# A break in a loop: the rest of the function runs eagerly
# ---------------------------------------------------------
# A ``while`` whose condition reads a tensor is a data-dependent branch at every test. With
# torch |torch_version| on Python |python_version|, TorchDynamo compiles the function up to
# the loop's first test: one graph (``sin``, ``add``, ``sum``, ``lt``). It meets the same break
# again inside the loop, and a graph break in a loop makes it skip the rest of the frame: the
# loop and everything after it (the ``cos`` and the product) run in eager Python. ``explain``
# lists the break at the ``while`` but reports one graph and, since it counts breaks as graphs
# minus one, 0 breaks. The recording backend counts the graph *runs*: one per call, whatever
# the trip count, and the results are the eager ones.
def double_until_ten(x):
    x = x.sin() + 1
    while x.sum() < 10:
        x = 2 * x
    return x.cos() * 3


report = torch._dynamo.explain(double_until_ten)(torch.tensor([0.03]))
break_lines = [reason.user_stack[-1].line for reason in report.break_reasons]
print(f"explain: {report.graph_count} graph, {report.graph_break_count} breaks")
print("break reasons at:", break_lines)
assert report.graph_count == 1, f"{report.graph_count} graphs"
assert report.graph_break_count == 0, f"{report.graph_break_count} breaks"
assert break_lines == ["while x.sum() < 10:"], f"break reasons at {break_lines}"
torch._dynamo.reset()
graphs.clear()
compiled_loop = torch.compile(double_until_ten, backend=recording_backend)
runs_per_call = {}
for start in [3.0, 0.3, 0.03]:
    runs.clear()
    result = compiled_loop(torch.tensor([start]))
    runs_per_call[start] = len(runs)
    torch.testing.assert_close(result, double_until_ten(torch.tensor([start])), msg=f"{start}")
print("start -> graph runs:", runs_per_call, "graphs:", [operations(gm) for gm in graphs])
assert set(runs_per_call.values()) == {1}, f"graph runs per call: {runs_per_call}"
assert [operations(gm) for gm in graphs] == [["sin", "add", "sum", "lt"]], "the one graph"


# %%
# An ``if`` on a tensor inside a ``for`` loop is a break in a loop too: no graph at all.
def step_down_while_positive(x):
    y = x.sin()
    for _ in range(3):
        if y.sum() > 0:
            y = y - 1
    return y.cos()


torch._dynamo.reset()
graphs.clear()
runs.clear()
compiled_steps = torch.compile(step_down_while_positive, backend=recording_backend)
result = compiled_steps(torch.tensor([0.5]))
torch.testing.assert_close(result, step_down_while_positive(torch.tensor([0.5])))
print(f"if in a for loop: {len(graphs)} graphs compiled, {len(runs)} graph runs")
assert (len(graphs), len(runs)) == (0, 0), f"{len(graphs)} graphs, {len(runs)} runs"


# %%
# ``torch.cond``: both branches in one graph
# ------------------------------------------
# ``torch.cond(pred, true_fn, false_fn, operands)`` records both branches as subgraphs, so
# ``fullgraph=True`` succeeds, one graph serves both branches, and the other branch needs no
# new compilation. Gradients are right on both branches.
def with_cond(x):
    return torch.cond(x.sum() > 0, lambda x: (x**2).sum(), lambda x: (-x).sum(), (x,))


torch._dynamo.reset()
graphs.clear()
compiled_cond = torch.compile(with_cond, backend=recording_backend, fullgraph=True)
for value, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    compiled_grad = gradient(compiled_cond, value)
    print(f"x = {value}: compiled gradient {compiled_grad.item()}   expected {expected}")
    torch.testing.assert_close(compiled_grad, torch.tensor([expected]))
print("graphs compiled for both branches:", len(graphs))
assert len(graphs) == 1, f"torch.cond compiled {len(graphs)} graphs"


# %%
# JAX: ``jit`` raises instead of splitting
# ----------------------------------------
# ``jax.jit`` has no graph breaks: a data-dependent ``if`` is an error (see
# :doc:`/auto_examples/compilers/plot_jit_and_python_branches`), and ``lax.cond`` plays the
# role of ``torch.cond``: one compiled program, both branches inside, gradients exact. What
# ``torch.cond`` cannot do yet is listed in
# :doc:`/auto_examples/compilers/plot_torch_func_and_trace`.
def cond_jax(x):
    return lax.cond(x > 0, lambda x: x**2, lambda x: -x, x)


for value, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    grad_value = jax.jit(jax.grad(cond_jax))(value)
    print(f"jit(grad(lax.cond)) at {value}: {grad_value}   expected {expected}")
    np.testing.assert_allclose(
        grad_value, expected, rtol=1e-6, err_msg=f"jit(grad(lax.cond)) at {value}"
    )
