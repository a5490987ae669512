"""
=====================
Loops that keep state
=====================

Two loop patterns break PyTorch's backward pass with a real error rather than a wrong
number: writing a loop's results into one tensor in place while later steps read them
back, and carrying a hidden state from one training iteration into the next. This
example triggers both errors, prints them, and shows the fix for each (append then
``torch.stack``; ``detach`` the carried state). The JAX sections show why neither
error can happen there: arrays are immutable, and there is no stored graph to reuse.
See :doc:`/guide/best_practices` for the rules these cases motivate.
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
# step into a preallocated tensor looks natural, but the multiplication saves ``h[t-1]`` (a view
# of ``h``) for the backward pass, and the next write into ``h`` bumps the tensor's version
# counter. Backward then refuses to use the overwritten value.
T, w0 = 5, 1.5
w = torch.tensor(w0, requires_grad=True)
h = torch.ones(T + 1)
for t in range(1, T + 1):
    h[t] = w * h[t - 1]
try:
    h.sum().backward()
except RuntimeError as e:
    err = e
print(type(err).__name__ + ":", str(err)[:300])
assert isinstance(err, RuntimeError) and "inplace" in str(err)

# %%
# The fix: append, then stack
# ---------------------------
# Keep each step's result as its own tensor in a Python list and build the sequence once with
# ``torch.stack``. Nothing saved for backward is overwritten, and the gradient matches the
# closed form ``d/dw sum_t w**t = sum_t t * w**(t-1)``.
w = torch.tensor(w0, requires_grad=True)
hs = [torch.tensor(1.0)]
for _ in range(T):
    hs.append(w * hs[-1])
torch.stack(hs).sum().backward()
exact = sum(t * w0 ** (t - 1) for t in range(1, T + 1))
print(f"stacked loop gradient: {w.grad.item():.6f}   closed form: {exact:.6f}")
assert abs(w.grad.item() - exact) < 1e-4

# %%
# In-place writes are not forbidden as such
# -----------------------------------------
# The error needs an overwritten value that backward still needs. Writing each result into a
# buffer that the loop never reads back is fine: here ``out[t] = w**t`` is computed from ``w``
# alone, and backward through the in-place writes gives the same closed-form gradient.
w = torch.tensor(w0, requires_grad=True)
out = torch.zeros(T + 1)
for t in range(T + 1):
    out[t] = w**t
out.sum().backward()
print(f"write-only buffer gradient: {w.grad.item():.6f}   closed form: {exact:.6f}")
assert abs(w.grad.item() - exact) < 1e-4

# %%
# JAX: arrays are immutable, ``.at[i].set`` is the update
# -------------------------------------------------------
# A JAX array does not support item assignment at all, so the PyTorch trap cannot be written.
# ``h.at[t].set(v)`` returns a new array with one entry replaced; under ``jax.grad`` it is an
# ordinary differentiable operation, and the same loop gives the closed-form gradient.
try:
    jnp.ones(3)[1] = 2.0
except TypeError as e:
    err = e
print(type(err).__name__ + ":", str(err).splitlines()[0][:300])
assert isinstance(err, TypeError)


def powers_sum(w):
    h = jnp.ones(T + 1)
    for t in range(1, T + 1):
        h = h.at[t].set(w * h[t - 1])
    return h.sum()


g = jax.grad(powers_sum)(w0)
print(f"jax.grad with .at[t].set: {float(g):.6f}   closed form: {exact:.6f}")
assert abs(float(g) - exact) < 1e-4

# %%
# Carrying a graph across training iterations (PyTorch)
# -----------------------------------------------------
# A recurrent cell reads a long sine wave in chunks of 20 steps and predicts the next value;
# the hidden state is carried from one chunk to the next. The first ``backward`` frees the
# first chunk's graph, but the carried ``h`` still points into it, so the second ``backward``
# tries to go through the freed graph.
signal = torch.sin(0.3 * torch.arange(4001.0))
L, iters = 20, 150


def run_chunk(cell, head, h, k):
    x, y = signal[k * L : (k + 1) * L], signal[k * L + 1 : (k + 1) * L + 1]
    loss = 0.0
    for i in range(L):
        h = cell(x[i].view(1, 1), h)
        loss = loss + (head(h).squeeze() - y[i]) ** 2
    return loss / L, h


torch.manual_seed(0)
cell, head = torch.nn.RNNCell(1, 8), torch.nn.Linear(8, 1)
opt = torch.optim.Adam([*cell.parameters(), *head.parameters()], lr=0.01)
h = torch.zeros(1, 8)
try:
    for k in range(iters):
        loss, h = run_chunk(cell, head, h, k)
        opt.zero_grad()
        loss.backward()
        opt.step()
except RuntimeError as e:
    err = e
print(f"loop stopped at k = {k} (the second iteration):", type(err).__name__ + ":", str(err)[:300])
assert isinstance(err, RuntimeError) and "backward through the graph a second time" in str(err)
assert k == 1

# %%
# The fix: ``detach`` the carried state
# -------------------------------------
# ``h = h.detach()`` at the start of each iteration keeps the hidden state's value but cuts
# its link to the previous chunk's graph (truncated backpropagation through time: each chunk's
# gradient stops at the chunk boundary). The loop now runs and the loss falls.
torch.manual_seed(0)
cell, head = torch.nn.RNNCell(1, 8), torch.nn.Linear(8, 1)
opt = torch.optim.Adam([*cell.parameters(), *head.parameters()], lr=0.01)
h = torch.zeros(1, 8)
torch_losses = []
for k in range(iters):
    h = h.detach()
    loss, h = run_chunk(cell, head, h, k)
    opt.zero_grad()
    loss.backward()
    opt.step()
    torch_losses.append(loss.item())
print("PyTorch loss every 25 iterations:", [f"{v:.2e}" for v in torch_losses[::25]])
first, last = np.mean(torch_losses[:10]), np.mean(torch_losses[-10:])
print(f"mean of first 10: {first:.2e}   mean of last 10: {last:.2e}")
assert last < 0.05 * first

# %%
# JAX: the carried state is just an array
# ---------------------------------------
# ``jax.grad`` differentiates a function of its arguments and keeps no graph between calls.
# The hidden state goes in as an ordinary input and comes out as an auxiliary output
# (``has_aux=True``), so each step's gradient stops at the chunk boundary by construction.
# The loop below has the structure of the detached PyTorch loop (its own initial weights, the
# 20 steps run by ``jax.lax.scan``, plain gradient descent instead of Adam).
xs, ys = signal[:-1].reshape(-1, L).numpy(), signal[1:].reshape(-1, L).numpy()  # chunks
rng = np.random.default_rng(0)
params = {"Wx": 0.5 * rng.standard_normal(8), "Wh": 0.3 * rng.standard_normal((8, 8)),
          "b": np.zeros(8), "v": 0.3 * rng.standard_normal(8), "c": np.zeros(())}
params = jax.tree.map(lambda a: jnp.asarray(a, dtype=jnp.float32), params)


def chunk_loss(params, h, x, y):
    def cell(h, xy):
        h = jnp.tanh(xy[0] * params["Wx"] + h @ params["Wh"] + params["b"])
        return h, (h @ params["v"] + params["c"] - xy[1]) ** 2

    h, sq_errors = jax.lax.scan(cell, h, (x, y))
    return sq_errors.mean(), h


@jax.jit
def sgd_step(params, h, x, y):
    (loss, h), grads = jax.value_and_grad(chunk_loss, has_aux=True)(params, h, x, y)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), h, loss


h, jax_losses = jnp.zeros(8), []
for k in range(iters):
    params, h, loss = sgd_step(params, h, xs[k], ys[k])
    jax_losses.append(float(loss))
print("JAX loss every 25 iterations:", [f"{v:.2e}" for v in jax_losses[::25]])
first_j, last_j = np.mean(jax_losses[:10]), np.mean(jax_losses[-10:])
print(f"mean of first 10: {first_j:.2e}   mean of last 10: {last_j:.2e}")
assert last_j < 0.05 * first_j

# %%
# Loss curves of the two fixed loops
# ----------------------------------
# Both loops carry the hidden state forward for its value only; each iteration's gradient
# covers the current 20-step chunk.
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.semilogy(torch_losses, label="PyTorch, h.detach() each iteration (Adam)")
ax.semilogy(jax_losses, label="JAX, h passed as an input (gradient descent)")
ax.set_xlabel("training iteration (one 20-step chunk each)")
ax.set_ylabel("mean squared error on the chunk")
ax.set_title("Carrying a hidden state across iterations, fixed")
ax.legend()
fig.tight_layout()
