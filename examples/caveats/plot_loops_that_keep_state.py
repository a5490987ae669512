"""
=====================
Loops that keep state
=====================

Two loop patterns break PyTorch's backward pass with an error rather than a wrong number:
writing a loop's results into one tensor in place while later steps read them back, and
carrying a hidden state from one training iteration into the next. Both errors are triggered
and fixed below (append then ``torch.stack``; ``detach`` the carried state); the JAX sections
show why neither can happen there: arrays are immutable, and no graph is stored between
calls. See :doc:`/guide/best_practices` for the rules these cases motivate.
"""

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch

# %%
# Writing into a tensor in place (PyTorch)
# ----------------------------------------
# The recurrence ``h[t] = w * h[t-1]`` with ``h[0] = 1`` gives ``h[t] = w**t``. Storing each
# step into a preallocated tensor looks natural, but the multiplication saves ``h[t-1]`` (a
# view of ``h``) for the backward pass, and the next write into ``h`` bumps the tensor's
# version counter. Backward then refuses to use the overwritten value.
STEPS, W = 5, 1.5
w = torch.tensor(W, requires_grad=True)
h = torch.ones(STEPS + 1)
for t in range(1, STEPS + 1):
    h[t] = w * h[t - 1]
try:
    h.sum().backward()
except RuntimeError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0][:230]}")
else:
    raise AssertionError("backward through the overwritten tensor no longer raises RuntimeError")

# %%
# The fix: append, then stack
# ---------------------------
# Keep each step's result as its own tensor in a Python list and build the sequence once with
# ``torch.stack``: nothing saved for backward is overwritten. In-place writes as such are
# fine: writing ``out[t] = w**t`` into a buffer that the loop never reads back also works. Both
# match the closed form ``d/dw sum_t w**t = sum_t t * w**(t-1)``.
closed_form = sum(t * W ** (t - 1) for t in range(1, STEPS + 1))
w = torch.tensor(W, requires_grad=True)
steps, buffer = [torch.tensor(1.0)], torch.zeros(STEPS + 1)
for t in range(1, STEPS + 1):
    steps.append(w * steps[-1])
    buffer[t] = w**t
(stacked_gradient,) = torch.autograd.grad(torch.stack(steps).sum(), w)
(buffer_gradient,) = torch.autograd.grad(buffer.sum(), w)
print(f"stacked {stacked_gradient:.6f}, buffer {buffer_gradient:.6f}, exact {closed_form:.6f}")
np.testing.assert_allclose(stacked_gradient, closed_form, rtol=1e-6, err_msg="stacked loop")
np.testing.assert_allclose(buffer_gradient, closed_form, rtol=1e-6, err_msg="write-only buffer")

# %%
# JAX: arrays are immutable, ``.at[i].set`` is the update
# -------------------------------------------------------
# A JAX array does not support item assignment at all, so the PyTorch trap cannot be written.
# ``h.at[t].set(v)`` returns a new array with one entry replaced; under ``jax.grad`` it is an
# ordinary differentiable operation, and the same loop gives the closed-form gradient.
try:
    jnp.ones(3)[1] = 2.0
except TypeError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0]}")
else:
    raise AssertionError("item assignment on a JAX array no longer raises TypeError")


def powers_sum(w):
    h = jnp.ones(STEPS + 1)
    for t in range(1, STEPS + 1):
        h = h.at[t].set(w * h[t - 1])
    return h.sum()


gradient = float(jax.grad(powers_sum)(W))
print(f"jax.grad with .at[t].set: {gradient:.6f}, closed form: {closed_form:.6f}")
np.testing.assert_allclose(gradient, closed_form, rtol=1e-6, err_msg=".at[t].set loop")

# %%
# Carrying a graph across training iterations (PyTorch)
# -----------------------------------------------------
# A recurrent cell reads a long sine wave in chunks of 20 steps and predicts the next value;
# the hidden state is carried from one chunk to the next. The first ``backward`` frees the
# first chunk's graph, but the carried ``h`` still points into it, so the second ``backward``
# tries to go through the freed graph.
signal = torch.sin(0.3 * torch.arange(4001.0))
CHUNK, ITERATIONS = 20, 150
inputs, targets = signal[:-1].reshape(-1, CHUNK), signal[1:].reshape(-1, CHUNK)


def train_torch(detach_state, losses):
    torch.manual_seed(0)
    cell, head = torch.nn.RNNCell(1, 8), torch.nn.Linear(8, 1)
    optimizer = torch.optim.Adam([*cell.parameters(), *head.parameters()], lr=0.01)
    h = torch.zeros(1, 8)
    for chunk in range(ITERATIONS):
        h = h.detach() if detach_state else h
        loss = 0.0
        for x, y in zip(inputs[chunk], targets[chunk]):
            h = cell(x.view(1, 1), h)
            loss = loss + (head(h).squeeze() - y) ** 2 / CHUNK
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())


losses_before_error = []
try:
    train_torch(detach_state=False, losses=losses_before_error)
except RuntimeError as err:
    print(f"{type(err).__name__}: {str(err).strip().splitlines()[0][:120]}")
else:
    raise AssertionError("the carried graph no longer makes backward raise RuntimeError")
print(f"iterations completed before the error: {len(losses_before_error)}")
assert len(losses_before_error) == 1, f"{len(losses_before_error)} iterations, expected 1"

# %%
# The fix: ``detach`` the carried state
# -------------------------------------
# ``h = h.detach()`` at the start of each iteration keeps the hidden state's value but cuts
# its link to the previous chunk's graph (truncated backpropagation through time: each
# chunk's gradient stops at the chunk boundary). The loop now runs and the loss falls.
torch_losses = []
train_torch(detach_state=True, losses=torch_losses)
first, last = np.mean(torch_losses[:10]), np.mean(torch_losses[-10:])
print(f"PyTorch: mean loss of the first 10 iterations {first:.2e}, of the last 10 {last:.2e}")
assert last < 0.05 * first, f"the loss fell only from {first:.2e} to {last:.2e}"

# %%
# JAX: the carried state is just an array
# ---------------------------------------
# ``jax.grad`` differentiates a function of its arguments and keeps no graph between calls.
# The hidden state goes in as an ordinary input and comes out as an auxiliary output
# (``has_aux=True``), so each step's gradient stops at the chunk boundary by construction.
# The loop has the structure of the detached PyTorch loop (its own initial weights, the 20
# steps run by ``jax.lax.scan``, plain gradient descent instead of Adam).
rng = np.random.default_rng(0)
params = {  # a tanh cell without biases, and a linear read-out
    "input": jnp.float32(0.5 * rng.standard_normal(8)),
    "recurrent": jnp.float32(0.3 * rng.standard_normal((8, 8))),
    "readout": jnp.float32(0.3 * rng.standard_normal(8)),
}


def chunk_loss(params, h, x, y):
    def cell(h, x_and_y):
        h = jnp.tanh(x_and_y[0] * params["input"] + h @ params["recurrent"])
        return h, (h @ params["readout"] - x_and_y[1]) ** 2

    h, squared_errors = jax.lax.scan(cell, h, (x, y))
    return squared_errors.mean(), h


@jax.jit
def sgd_step(params, h, x, y):
    (loss, h), grads = jax.value_and_grad(chunk_loss, has_aux=True)(params, h, x, y)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), h, loss


h, jax_losses = jnp.zeros(8), []
for chunk in range(ITERATIONS):
    params, h, loss = sgd_step(params, h, inputs[chunk].numpy(), targets[chunk].numpy())
    jax_losses.append(float(loss))
first, last = np.mean(jax_losses[:10]), np.mean(jax_losses[-10:])
print(f"JAX: mean loss of the first 10 iterations {first:.2e}, of the last 10 {last:.2e}")
assert last < 0.05 * first, f"the loss fell only from {first:.2e} to {last:.2e}"

# %%
# Loss curves of the two fixed loops
# ----------------------------------
# Both loops carry the hidden state forward for its value only; each iteration's gradient
# covers the current 20-step chunk.
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.semilogy(torch_losses, label="PyTorch, h.detach() each iteration (Adam)")
ax.semilogy(jax_losses, label="JAX, h passed as an input (gradient descent)")
ax.set(xlabel="training iteration (one 20-step chunk each)", ylabel="mean squared error")
ax.set_title("Carrying a hidden state across iterations, fixed")
ax.legend()
fig.tight_layout()
