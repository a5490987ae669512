"""
=======================================
Memory held across training iterations
=======================================

Every iteration of a PyTorch training loop records a new graph, and ``backward()`` frees the
tensors that graph saved. Whatever the loop keeps that still points into the graph keeps
part of it alive: ``total_loss += loss``, a list of outputs, or ``retain_graph=True``. You
will see, iteration by iteration, the bytes of saved tensors still alive and the graph nodes
still reachable for each of these loops and for the fixed loop (``.item()``, ``.detach()``,
no ``retain_graph``), a figure of both, what ``retain_graph=True`` is for, and the JAX
counterpart, where an accumulated loss is a plain array.

The guide page :doc:`/guide/cost_and_scale` puts this in context.
"""

# %%
# Measuring what a graph holds
# ----------------------------
# A pack hook of ``torch.autograd.graph.saved_tensors_hooks`` sees each tensor autograd
# saves; we record its storage's bytes and a ``weakref.finalize`` that forgets them when the
# storage is freed, so ``alive_bytes`` holds exactly the saved storages still in memory (the
# parameters, alive anyway, are left out). The hook stores ``tensor.detach()``, as PyTorch's
# notes on these hooks advise: returning the tensor itself would make a saved output hold its
# own ``grad_fn``, a reference cycle. Graph nodes are counted by walking
# ``grad_fn.next_functions`` from what the loop keeps. Each step fits a 64-64-1 network to a
# fresh batch of 32; it saves the input and the ``tanh`` output (8 KiB each), the output and
# the target (128 bytes each), and its graph has 6 nodes plus one leaf per parameter.
import gc
import weakref

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1))
parameter_storages = {p.untyped_storage().data_ptr() for p in model.parameters()}
alive_bytes = {}  # storage pointer -> bytes, for storages saved for backward and still alive


def pack(tensor):
    storage = tensor.untyped_storage()
    pointer = storage.data_ptr()
    if pointer not in parameter_storages and pointer not in alive_bytes:
        alive_bytes[pointer] = storage.nbytes()
        weakref.finalize(storage, alive_bytes.pop, pointer, None)
    return tensor.detach()


def graph_nodes(kept):
    """The autograd nodes reachable from the tensors in `kept`."""
    seen, todo = {}, [t.grad_fn for t in kept if torch.is_tensor(t) and t.grad_fn is not None]
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            todo.extend(child for child, _ in node.next_functions if child is not None)
    return len(seen)


def sgd_step(learning_rate=1e-3):  # what torch.optim.SGD does, without importing it
    with torch.no_grad():
        for parameter in model.parameters():
            parameter -= learning_rate * parameter.grad


def one_step():
    output = model(torch.randn(32, 64))
    return output, torch.nn.functional.mse_loss(output, torch.randn(32, 1))


with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
    output, loss = one_step()
    step_bytes, step_nodes = sum(alive_bytes.values()), graph_nodes([loss])
    output_nodes = graph_nodes([output])
    del output, loss
leaves = len(parameter_storages)
new_nodes = step_nodes - leaves  # the nodes each step adds: all but the parameter leaves
print(f"one step saves {step_bytes} bytes; its graph: {new_nodes} nodes + {leaves} leaves")
assert step_bytes == 2 * 32 * 64 * 4 + 2 * 32 * 4, f"{step_bytes} bytes: not x, tanh, output, y"
assert not alive_bytes, f"{alive_bytes} still alive once the step is dropped"

# %%
# Four loops that keep something, and two fixes
# ---------------------------------------------
# The first three loops train (``backward()`` and an SGD step each iteration); the
# fourth is a validation loop that forgot ``torch.no_grad()`` and never calls ``backward()``.
# After each iteration we record the bytes and nodes still held. Once a loop returns, what it
# kept is dropped, and no saved tensor outlives it.
LOOPS = [
    "total_loss += loss",
    "outputs.append(output)",
    "total_loss += loss; backward(retain_graph=True)",
    "validation: total_loss += loss, no backward",
    "outputs.append(output.detach())",
    "fixed: total_loss += loss.item()",
]
ITERATIONS = 40


def run(loop):
    total_loss, outputs, held_bytes, held_nodes = 0.0, [], [], []
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        for _ in range(ITERATIONS):
            output, loss = one_step()
            if not loop.startswith("validation"):
                model.zero_grad()
                loss.backward(retain_graph="retain_graph" in loop)
                sgd_step()
            if loop.startswith("outputs"):
                outputs.append(output.detach() if "detach" in loop else output)
            else:
                total_loss += loss.item() if "item" in loop else loss
            del output, loss
            held_bytes.append(sum(alive_bytes.values()))
            held_nodes.append(graph_nodes([total_loss, *outputs]))
    return np.array(held_bytes), np.array(held_nodes)


held = {loop: run(loop) for loop in LOOPS}
iterations = np.arange(1, ITERATIONS + 1)
slopes = {}
for loop, (held_bytes, held_nodes) in held.items():
    slopes[loop] = [np.polyfit(iterations, values, 1)[0] for values in (held_bytes, held_nodes)]
    print(f"{loop:48s} {slopes[loop][0]:7.0f} bytes, {slopes[loop][1]:3.0f} nodes per iteration")
print(f"all loops done: {sum(alive_bytes.values())} bytes of saved tensors still alive")
assert not alive_bytes, f"{alive_bytes} outlived the loops"


# %%
# A loss that is kept holds the graph's nodes; ``backward()`` already freed its tensors
# --------------------------------------------------------------------------------------
# ``total_loss += loss`` chains every iteration's graph into ``total_loss``: the 6 new nodes
# of each step's graph plus the ``add`` node. But ``backward()`` freed the tensors those nodes
# saved, so no saved bytes are held. Kept outputs hold their graph's nodes without the loss,
# and their own values, which were saved for the loss. With ``retain_graph=True``, or with no
# ``backward()`` at all, the kept loss holds every tensor each step saved.
def check_slope(loop, expected_bytes, expected_nodes):
    got_bytes, got_nodes = slopes[loop]
    assert 0.9 * expected_bytes - 1 <= got_bytes <= 1.1 * expected_bytes + 1, (
        f"{loop}: {got_bytes:.1f} bytes per iteration, expected about {expected_bytes}"
    )
    np.testing.assert_allclose(got_nodes, expected_nodes, atol=0.01, err_msg=f"{loop}: nodes")


check_slope("total_loss += loss", 0, new_nodes + 1)
check_slope("outputs.append(output)", 32 * 4, output_nodes - leaves)
check_slope("total_loss += loss; backward(retain_graph=True)", step_bytes, new_nodes + 1)
check_slope("validation: total_loss += loss, no backward", step_bytes, new_nodes + 1)

fig, (ax_bytes, ax_nodes) = plt.subplots(1, 2, figsize=(9, 4.2))
plotted = [loop for loop in LOOPS if "detach" not in loop]
for loop, style in zip(plotted, ["o-", "s-", "^-", "x:", "k--"]):
    for ax, values in zip([ax_bytes, ax_nodes], [held[loop][0] / 1024, held[loop][1]]):
        ax.plot(iterations, values, style, markevery=(plotted.index(loop), 8), label=loop)
ax_bytes.set(xlabel="iteration", ylabel="KiB", title="Saved tensors still alive")
ax_nodes.set(xlabel="iteration", ylabel="nodes", title="Graph nodes reachable from what is kept")
fig.legend(*ax_bytes.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=8)
fig.tight_layout(rect=(0, 0.17, 1, 1))

# %%
# The fixes hold nothing from the graph
# -------------------------------------
# ``loss.item()`` turns the loss into a Python float, ``output.detach()`` keeps the values
# without the graph, and dropping ``retain_graph=True`` lets ``backward()`` free what was
# saved. Detached outputs still hold their own 128 bytes each, the values you asked to keep.
check_slope("fixed: total_loss += loss.item()", 0, 0)
check_slope("outputs.append(output.detach())", 32 * 4, 0)
final_bytes, final_nodes = (values[-1] for values in held["fixed: total_loss += loss.item()"])
print(f"fixed loop after {ITERATIONS} iterations: {final_bytes} bytes, {final_nodes} nodes")
assert final_bytes == final_nodes == 0, f"fixed loop holds {final_bytes} bytes, {final_nodes}"

# %%
# What ``retain_graph=True`` is for
# ---------------------------------
# It keeps the saved tensors for one more pass through the same graph: here two losses
# share one forward pass and we want each one's gradient separately. Without it the second
# ``backward()`` raises the error explained in :ref:`error-backward-second-time`. With it on
# the first call, the second call runs and frees what it went through; the two tensors only
# ``mse_loss`` saved stay alive until ``main_loss`` is dropped. If only the sum of the
# gradients is needed, one pass over the summed losses gives it and frees the whole graph.
weight = model[0].weight


def two_losses():
    batch = torch.Generator().manual_seed(1)  # the same batch on every call
    output = model(torch.randn(32, 64, generator=batch))
    target = torch.randn(32, 1, generator=batch)
    return torch.nn.functional.mse_loss(output, target), output.abs().mean()


with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
    main_loss, extra_loss = two_losses()
    torch.autograd.grad(main_loss, weight)
    try:
        torch.autograd.grad(extra_loss, weight)
    except RuntimeError as err:
        message = str(err).strip()
        print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:3]))
        assert "backward through the graph a second time" in message, f"message: {message}"
    else:
        raise AssertionError("a second pass without retain_graph no longer raises RuntimeError")

    main_loss, extra_loss = two_losses()
    (main_gradient,) = torch.autograd.grad(main_loss, weight, retain_graph=True)
    after_first = sum(alive_bytes.values())
    (extra_gradient,) = torch.autograd.grad(extra_loss, weight)
    after_second = sum(alive_bytes.values())
    del main_loss, extra_loss
    after_del = sum(alive_bytes.values())
    summed_loss = sum(two_losses())
    (summed_gradient,) = torch.autograd.grad(summed_loss, weight)
    after_summed = sum(alive_bytes.values())
print(f"saved bytes alive after the first pass (retain_graph=True): {after_first}")
print(f"after the second pass: {after_second}; once main_loss is dropped: {after_del}")
print(f"after one pass over the summed losses, summed_loss still held: {after_summed}")
assert after_first == step_bytes, f"{after_first} bytes alive after the first pass"
assert after_second == 2 * 32 * 4, f"{after_second} bytes alive after the second pass"
assert after_del == 0, f"{after_del} bytes alive once the losses are dropped"
assert after_summed == 0, f"{after_summed} bytes alive after the pass over the summed losses"
torch.testing.assert_close(main_gradient + extra_gradient, summed_gradient)
print("sum of the two separate gradients == gradient of the summed losses")

# %%
# JAX: an accumulated loss is just an array
# -----------------------------------------
# ``jax.value_and_grad`` returns the loss and the gradient and keeps no graph between calls
# (:doc:`/auto_examples/caveats/plot_loops_that_keep_state` shows what that means for a
# carried state). Adding up the losses of five jitted training steps gives a 4-byte array
# whose only referent, as Python's garbage collector sees it, is its type.
params = [jnp.asarray(p.detach().numpy()) for p in model.parameters()]


def jax_loss(params, x, y):
    w1, b1, w2, b2 = params
    output = jnp.tanh(x @ w1.T + b1) @ w2.T + b2
    return jnp.mean((output - y) ** 2)


@jax.jit
def train_step(params, x, y):
    loss, grads = jax.value_and_grad(jax_loss)(params, x, y)
    return [p - 1e-3 * g for p, g in zip(params, grads)], loss


rng, total_loss = np.random.default_rng(0), 0.0
for _ in range(5):
    x, y = rng.standard_normal((32, 64), np.float32), rng.standard_normal((32, 1), np.float32)
    params, loss = train_step(params, x, y)
    total_loss += loss
referents = gc.get_referents(total_loss)
print(f"{type(total_loss).__name__}, {total_loss.nbytes} bytes, referents: {referents}")
assert isinstance(total_loss, jax.Array), f"total_loss is a {type(total_loss)}"
assert total_loss.nbytes == 4, f"total_loss has {total_loss.nbytes} bytes"
assert referents == [type(total_loss)], f"total_loss references {referents}"
