"""
==============================================
The graph each run records, in PyTorch and JAX
==============================================

Autodiff differentiates a trace of what ran, not the source code. This example evaluates one
function at two inputs that take different branches of an ``if``. In PyTorch we walk the
graph that the forward pass recorded (``grad_fn`` and ``next_functions``) and draw it for
each input; in JAX we ask ``jax.linearize`` for the linear map at each input and print its
jaxpr. Each run contains only the operations of its own branch, and neither contains the
comparison. The guide page :doc:`/guide/control_flow` walks through the whole series.
"""

# %%
# One function, two branches
# --------------------------
# ``two_branches`` returns ``x * x * 3`` (derivative ``6 x``) for positive ``x`` and
# ``x**3 - x / 2`` (derivative ``3 x**2 - 1/2``) otherwise. We use ``x = 1.5`` and
# ``x = -1``.
from collections import Counter

import jax
import matplotlib.pyplot as plt
import numpy as np
import torch


def two_branches(x):
    if x > 0:
        return x * x * 3
    return x**3 - x / 2


inputs = {1.5: 6 * 1.5, -1.0: 3 * (-1.0) ** 2 - 0.5}  # input: closed-form derivative

# %%
# Walking PyTorch's recorded graph
# --------------------------------
# Every tensor computed from ``x`` carries a ``grad_fn``, the backward node of the operation
# that produced it; ``next_functions`` links each node to the nodes of its inputs, down to
# ``AccumulateGrad``, which deposits the result in ``x.grad``. A constant such as the ``3``
# shows up as ``None`` and is skipped. ``recorded_graph`` collects the nodes with their
# distance from the output, and the edges, before ``backward()`` runs.


def recorded_graph(output):
    depth, edges, stack = {output.grad_fn: 0}, [], [output.grad_fn]
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            edges.append((node, child))
            if depth.get(child, -1) < depth[node] + 1:
                depth[child] = depth[node] + 1
                stack.append(child)
    return depth, edges


graphs, node_names = {}, {}
for x_value, closed_form in inputs.items():
    x = torch.tensor(x_value, requires_grad=True)
    y = two_branches(x)
    graphs[x_value] = recorded_graph(y)
    node_names[x_value] = sorted({type(node).__name__ for node in graphs[x_value][0]})
    y.backward()
    print(f"x={x_value}: nodes {node_names[x_value]}")
    print(f"        gradient {x.grad.item()} (closed form {closed_form})")
    np.testing.assert_allclose(x.grad.item(), closed_form, err_msg=f"gradient at {x_value}")

shared = set(node_names[1.5]) & set(node_names[-1.0])
print(f"node types in both graphs: {sorted(shared)}")
assert shared == {"AccumulateGrad"}, f"node types in both graphs: {shared}"

# %%
# Drawing the two graphs
# ----------------------
# Each node is drawn at its distance from the output, and an arrow goes from a node to the
# node of each of its inputs: the direction in which ``backward()`` walks. In the first graph
# ``x * x`` uses ``x`` twice, hence two arrows into ``AccumulateGrad``. Nothing of the other
# branch, and nothing of ``x > 0``, was recorded.
for x_value, (depth, edges) in graphs.items():
    fig, ax = plt.subplots(figsize=(4, 4))  # one figure per input, shown side by side
    levels = {}
    for node, level in depth.items():
        levels.setdefault(level, []).append(node)
    boxes = {}
    for level, nodes in levels.items():
        for i, node in enumerate(nodes):
            label = type(node).__name__ + ("\n(leaf x)" if hasattr(node, "variable") else "")
            boxes[node] = ax.text(
                (i + 1) / (len(nodes) + 1),
                -level,
                label,
                ha="center",
                va="center",
                bbox=dict(boxstyle="round", fc="#dde8f5"),
            )
    drawn = Counter()
    for parent, child in edges:
        drawn[parent, child] += 1  # bend the second arrow between the same two nodes
        bend = f"arc3,rad={0.4 * (drawn[parent, child] - 1)}"
        ax.annotate(
            "",
            xy=(0.5, 1),
            xycoords=boxes[child],
            xytext=(0.5, 0),
            textcoords=boxes[parent],
            arrowprops=dict(arrowstyle="->", connectionstyle=bend),
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(-max(levels) - 0.5, 0.5)
    ax.axis("off")
    branch = "x * x * 3" if x_value > 0 else "x**3 - x / 2"
    ax.set_title(f"Recorded at x = {x_value}\n(branch {branch})")
    fig.tight_layout()

# %%
# JAX: the linear map at each input
# ---------------------------------
# ``jax.linearize(f, x)`` runs ``f`` at ``x`` and returns the linear map ``t -> f'(x) t``.
# ``jax.make_jaxpr`` of that map prints the operations it performs on the tangent ``t``;
# the numbers it needs from the forward pass appear inline or as constants listed before
# the ``;``. The two jaxprs differ: each holds only the derivative of the branch that ran,
# and neither holds a comparison. ``jax.linearize``, like ``jax.grad``, runs the function on
# the concrete input. Tracing ``two_branches`` itself with abstract values, as ``jax.jit`` or
# ``jax.make_jaxpr(two_branches)`` do, fails on the ``if`` instead:
# :doc:`/auto_examples/compilers/plot_jit_and_python_branches` shows that error and the ways
# out.
jaxprs, primitives = {}, {}
for x_value, closed_form in inputs.items():
    _, linear_map = jax.linearize(two_branches, x_value)
    jaxprs[x_value] = jax.make_jaxpr(linear_map)(1.0)
    primitives[x_value] = [eqn.primitive.name for eqn in jaxprs[x_value].jaxpr.eqns]
    slope = float(linear_map(1.0))
    print(f"x={x_value}: linear map {jaxprs[x_value]}")
    print(f"primitives {primitives[x_value]}, slope {slope} (closed form {closed_form})\n")
    np.testing.assert_allclose(slope, closed_form, err_msg=f"slope of the linear map at {x_value}")
    assert "gt" not in primitives[x_value], f"a comparison in the linear map: {primitives[x_value]}"

assert primitives[1.5] != primitives[-1.0], f"the same primitives at both inputs: {primitives}"
