"""
==================================================
``torch.compile``: graph breaks and ``torch.cond``
==================================================

``torch.compile`` does not raise on a data-dependent ``if``: TorchDynamo stops the graph
there (a *graph break*), lets Python take the branch, and compiles the code after it as
another graph. You will see the graph and break counts with their reasons for an ``if`` and
for ``.item()``, the error ``fullgraph=True`` gives instead, gradients that match eager mode
on both branches, the new graph compiled the first time the other branch is taken, and
``torch.cond``, which keeps both branches in one graph, with what it cannot do yet.

All compilations use the ``eager`` / ``aot_eager`` backends (no C++ toolchain needed): graphs
are captured by TorchDynamo before any backend sees them. The JAX section shows the ``jax.jit``
counterpart. The guide page :doc:`/guide/compilers` puts these examples in order.
"""

# %%
# A data-dependent branch, and its eager gradient
# -----------------------------------------------
# ``branchy`` squares its input when the sum is positive and negates it otherwise. We reset
# TorchDynamo's caches first, so counts below do not depend on what ran before.
import jax
import torch
import torch._dynamo
from jax import lax

torch._dynamo.reset()


def branchy(x):
    if x.sum() > 0:
        return (x**2).sum()
    return (-x).sum()


def eager_grad(fn, v):
    x = torch.tensor([v], requires_grad=True)
    return torch.autograd.grad(fn(x), x)[0]


for v, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    print(f"eager gradient at {v}: {eager_grad(branchy, v).item()}   expected {expected}")
    torch.testing.assert_close(eager_grad(branchy, v), torch.tensor([expected]))


# %%
# Graphs and graph breaks, with their reasons
# -------------------------------------------
# ``torch._dynamo.explain`` compiles the function once and reports what it captured. The
# ``if`` splits it: one graph computes the condition, a second holds the branch taken.
# ``.item()`` breaks the graph too (a Python number leaves the graph), unless
# ``capture_scalar_outputs`` is enabled.
def uses_item(x):
    scale = x.sum().item()
    return (x * scale).sum()


for fn in [branchy, uses_item]:
    report = torch._dynamo.explain(fn)(torch.tensor([2.0]))
    print(f"{fn.__name__}: {report.graph_count} graphs, {report.graph_break_count} graph break(s)")
    for reason in report.break_reasons:
        print("  reason:", reason.reason.splitlines()[0], "| at", reason.user_stack[-1].line)
    assert report.graph_count >= 2 and report.graph_break_count >= 1

# %%
# ``fullgraph=True`` turns the break into an error
# ------------------------------------------------
# Asking for a single graph makes TorchDynamo raise at the branch instead of splitting. The
# message names the construct and suggests ``torch.cond``.
torch._dynamo.reset()
try:
    torch.compile(branchy, backend="eager", fullgraph=True)(torch.tensor([2.0]))
except Exception as err:
    lines = str(err).splitlines()
    print(type(err).__name__, "-", lines[0])
    print("\n".join(line for line in lines if "Explanation" in line or "torch.cond" in line))
    assert type(err).__name__ == "Unsupported" and isinstance(err, RuntimeError)
    assert "torch.cond" in str(err)
else:
    raise AssertionError("the code above was expected to raise")

# %%
# Compiled gradients equal eager ones, on both branches
# -----------------------------------------------------
# With graph breaks, autograd still chains the pieces: ``aot_eager`` (which also traces the
# backward) gives the same gradients as eager mode on both sides of the ``if``.
compiled = torch.compile(branchy, backend="aot_eager")
for v in [2.0, -1.0]:
    g_c, g_e = eager_grad(compiled, v), eager_grad(branchy, v)
    print(f"x = {v}: compiled {g_c.item()}, eager {g_e.item()}")
    torch.testing.assert_close(g_c, g_e)

# %%
# The first call down the other branch compiles a new graph
# ---------------------------------------------------------
# A backend is just a function that receives each captured graph; this one counts them and
# runs them unchanged. The condition graph (``gt``) and the positive branch (``pow``) are
# compiled on the first call; the negative branch (``neg``) only when an input first takes it.
# Later calls reuse all three.
torch._dynamo.reset()
graphs = []


def counting_backend(gm, example_inputs):
    graphs.append(gm)
    return gm.forward


counted = torch.compile(branchy, backend=counting_backend)
history = []
for v in [2.0, 3.0, -1.0, -2.0, 4.0]:
    counted(torch.tensor([v]))
    history.append(len(graphs))
print("graphs compiled after each call on [2, 3, -1, -2, 4]:", history)
assert history == [2, 2, 3, 3, 3]
ops = [
    [getattr(n.target, "__name__", n.target) for n in gm.graph.nodes if "call" in n.op]
    for gm in graphs
]
print("operations in each graph:", ops)
assert "gt" in ops[0] and "pow" in ops[1] and "neg" in ops[2]


# %%
# ``torch.cond``: both branches in one graph
# ------------------------------------------
# ``torch.cond(pred, true_fn, false_fn, operands)`` records both branches as subgraphs, so
# ``fullgraph=True`` succeeds, ``explain`` finds one graph and no break, and the other branch
# needs no new compilation. Gradients match eager mode on both branches.
def with_cond(x):
    return torch.cond(x.sum() > 0, lambda x: (x**2).sum(), lambda x: (-x).sum(), (x,))


torch._dynamo.reset()
report = torch._dynamo.explain(with_cond)(torch.tensor([2.0]))
print(f"torch.cond: {report.graph_count} graph, {report.graph_break_count} graph breaks")
assert report.graph_count == 1 and report.graph_break_count == 0

torch._dynamo.reset()
graphs.clear()
compiled_cond = torch.compile(with_cond, backend=counting_backend, fullgraph=True)
for v, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    g_c, g_e = eager_grad(compiled_cond, v), eager_grad(with_cond, v)
    print(f"x = {v}: compiled {g_c.item()}, eager {g_e.item()}, expected {expected}")
    torch.testing.assert_close(g_c, torch.tensor([expected]))
    torch.testing.assert_close(g_e, torch.tensor([expected]))
print("graphs compiled for both branches:", len(graphs))
assert len(graphs) == 1

# %%
# What ``torch.cond`` does not do (torch 2.13)
# --------------------------------------------
# The predicate must be a single boolean, not a batch (for element-wise choices use
# ``torch.where``); both branches must return tensors of the same shape and dtype; and a
# gradient taken with ``create_graph=True`` comes back *without* a ``grad_fn``, so a second
# derivative raises.
x = torch.tensor([2.0, -1.0], requires_grad=True)
attempts = {
    "batched predicate": lambda: torch.cond(x > 0, lambda x: x**2, lambda x: -x, (x,)),
    "different shapes": lambda: torch.cond(x.sum() > 0, lambda x: x.sum(), lambda x: -x, (x,)),
}
for name, attempt in attempts.items():
    torch._dynamo.reset()
    try:
        attempt()
    except Exception as err:
        lines = str(err).splitlines()
        print(f"{name}: {type(err).__name__} - {lines[0][:200]}")
        if len(lines) > 1:  # the compiler wraps the underlying error: show its end
            print("    ...", lines[1].strip()[-110:])
        assert isinstance(err, RuntimeError)
    else:
        raise AssertionError("the code above was expected to raise")

(g,) = torch.autograd.grad(with_cond(x), x, create_graph=True)
print("first derivative:", g.detach(), "requires_grad:", g.requires_grad)
assert not g.requires_grad
try:
    torch.autograd.grad(g.sum(), x)
except Exception as err:
    print("second derivative:", type(err).__name__, "-", str(err)[:200])
    assert isinstance(err, RuntimeError)
else:
    raise AssertionError("the code above was expected to raise")


# %%
# JAX: ``jit`` raises instead of splitting
# ----------------------------------------
# ``jax.jit`` has no graph breaks: a data-dependent ``if`` is an error (see
# :doc:`/auto_examples/compilers/plot_jit_and_python_branches`), and ``lax.cond`` plays the
# role of ``torch.cond``: one compiled program, both branches inside, gradients exact, and
# second derivatives available.
def cond_jax(x):
    return lax.cond(x > 0, lambda x: x**2, lambda x: -x, x)


for v, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    g = jax.jit(jax.grad(cond_jax))(v)
    print(f"jit(grad(lax.cond)) at {v}: {g}   expected {expected}")
    assert abs(g - expected) < 1e-6
g2 = jax.jit(jax.grad(jax.grad(cond_jax)))(2.0)
print(f"second derivative at 2.0: {g2}   expected 2.0")
assert abs(g2 - 2.0) < 1e-6
