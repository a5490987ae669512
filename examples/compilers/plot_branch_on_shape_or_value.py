"""
================================================
What a compiler can branch on: values and shapes
================================================

"A compiler wants one program for every input" is only half true. ``jax.jit`` traces with
placeholders that know a shape and a dtype but no value, so a Python ``if`` on a traced
*value* raises (see :doc:`/auto_examples/compilers/plot_jit_and_python_branches`), while an
``if`` on a shape or a dtype is decided while tracing: ``jax.jit`` compiles one program per
input shape, dtype and static argument. ``torch.fx`` is stricter (its placeholders have no
concrete shape either), and ``torch.compile`` is more lenient: it specializes on what it sees,
guards it, recompiles when a guard fails, and splits the graph at a data-dependent ``if``.
You will see each, counted. The guide page :doc:`/guide/compilers` puts these examples in
order.
"""

# %%
# ``jax.jit``: one program per shape and dtype
# --------------------------------------------
# ``total`` sums an array of more than two elements and returns the first element of a
# shorter one. The ``if`` reads ``x.shape``, which a tracer knows, so ``jax.jit`` accepts it.
# A Python side effect runs only while JAX traces, so the list below counts the programs
# compiled: four calls, three distinct (shape, dtype) pairs, three traces.
import jax
import jax.numpy as jnp
import numpy as np
import torch
import torch._dynamo


def total(x):
    return x.sum() if x.shape[0] > 2 else x[0]


traces = []


def total_counted(x):
    traces.append((x.shape, str(x.dtype)))  # runs at trace time only
    return total(x)


jit_total = jax.jit(total_counted)
inputs = [jnp.ones(3), jnp.ones(2), jnp.ones(3, dtype=jnp.int32), jnp.array([1.0, 2.0, 3.0])]
results = [jit_total(x).item() for x in inputs]
print("results:", results)
print("traced for:", traces)
np.testing.assert_allclose(results, [3.0, 1.0, 3, 6.0], err_msg="jit(total) results")
assert traces == [((3,), "float32"), ((2,), "float32"), ((3,), "int32")], f"traces {traces}"

# %%
# ``torch.fx``: the shape is symbolic too
# ---------------------------------------
# ``torch.fx.symbolic_trace`` replaces the input by a proxy whose shape is itself a proxy, so
# even the ``if`` on ``x.shape[0]`` has no answer and tracing fails with ``TraceError``.
try:
    torch.fx.symbolic_trace(total)
except torch.fx.proxy.TraceError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("torch.fx.symbolic_trace(total) no longer raises TraceError")


# %%
# ``torch.compile``: a data-dependent ``if`` splits the graph
# -----------------------------------------------------------
# TorchDynamo does not raise on an ``if`` on a tensor's value: it ends the graph there (a
# graph break), lets Python decide, and captures the branch taken as a second graph.
# :doc:`/auto_examples/compilers/plot_torch_compile_branches` shows the reasons, the
# gradients and what a break costs in a loop.
def branchy(x):
    return x * x if x > 1 else x + 2


report = torch._dynamo.explain(branchy)(torch.tensor(2.0))
print(f"branchy: {report.graph_count} graphs, {report.graph_break_count} graph break")
assert report.graph_count == 2, f"expected 2 graphs, got {report.graph_count}"
assert report.graph_break_count == 1, f"expected 1 break, got {report.graph_break_count}"

# %%
# ``torch.compile``: shapes are specialized and guarded
# -----------------------------------------------------
# A backend is a function that receives each captured graph; this one records them. The first
# call compiles ``total`` for length 3 (no break: the ``if`` is decided at compile time), guarded
# by that length. Length 2 fails the guard and compiles a second graph; length 3 again reuses
# the first. The next new length makes TorchDynamo compile one graph with a symbolic length
# (printed ``s`` followed by a number), which length 5 reuses.
torch._dynamo.reset()
graphs = []


def recording_backend(graph_module, example_inputs):
    graphs.append(graph_module)
    return graph_module.forward


compiled_total = torch.compile(total, backend=recording_backend)
graphs_after_call = []
for n in [3, 2, 3, 4, 5]:
    compiled_total(torch.ones(n))
    graphs_after_call.append(len(graphs))
input_lengths = []
for graph_module in graphs:
    placeholders = [node for node in graph_module.graph.nodes if node.op == "placeholder"]
    input_lengths.append(placeholders[-1].meta["example_value"].shape[0])
print("graphs after each call with lengths [3, 2, 3, 4, 5]:", graphs_after_call)
print("input length of each graph:", input_lengths)
assert graphs_after_call == [1, 2, 2, 3, 3], f"graph counts {graphs_after_call}"
assert input_lengths[:2] == [3, 2], f"first two graphs specialize on 3 and 2: {input_lengths}"
assert isinstance(input_lengths[2], torch.SymInt), f"third graph: length {input_lengths[2]}"
