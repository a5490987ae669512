"""
=======================================================
Checkpointing: √n memory, a re-run, and its Python trap
=======================================================

Checkpointing cuts a loop of ``n`` steps into segments, keeps each segment's input, and
recomputes a segment when the backward pass reaches it. With √n segments you will see what
is saved, the peak during the backward pass, and what the re-run adds to a training step.
Then the trap: PyTorch runs the segment's *Python code* again, so a branch on mutable state
or on Python's ``random`` can go the other way, while ``jax.checkpoint`` replays the program
it traced. The guide page :doc:`/guide/cost_and_scale` puts this in context.
"""

# %%
# Saved in the forward pass, alive during the backward pass
# ---------------------------------------------------------
# Each step computes ``x + tanh(w * x)`` on 256 floats (1 KiB). A pack hook counts what
# autograd saves: ``3 n - 1`` tensors without checkpointing (``mul`` saves ``x`` and ``w``,
# ``tanh`` its output; the first ``mul`` skips ``w``), ``2 k`` with ``k = √n`` segments (each
# segment's input, and ``w``). A ``TorchDispatchMode`` sees every tensor an operation creates,
# forward or backward, and tracks the peak of the KiB alive during the backward pass.
import collections
import contextlib
import functools
import io
import random
import re
import time
import timeit
import weakref

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from jax.ad_checkpoint import print_saved_residuals
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves
from torch.utils.checkpoint import CheckpointError, checkpoint


class LiveKiB(TorchDispatchMode):
    """The storages that operations created and that are still alive: their KiB, and the peak."""

    def __init__(self):
        super().__init__()
        self.kib, self.peak = {}, 0  # storage pointer -> KiB

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for storage in [tensor.untyped_storage() for tensor in tree_leaves(out)]:
            if storage.data_ptr() not in self.kib:  # a new storage, not a view of one
                self.kib[storage.data_ptr()] = storage.nbytes() / 1024
                weakref.finalize(storage, self.kib.pop, storage.data_ptr())
        self.peak = max(self.peak, sum(self.kib.values()))
        return out


def segment(x, w, steps, tanh=torch.tanh):  # also used with jnp.tanh below
    for _ in range(steps):
        x = x + tanh(w * x)
    return x


def forward(n, use_checkpoint):
    x, k = x0, round(n**0.5)
    run = functools.partial(checkpoint, segment, use_reentrant=False) if use_checkpoint else segment
    for _ in range(k):
        x = run(x, w, n // k)
    return x.sum()


torch.manual_seed(0)
w, x0 = torch.randn(256, requires_grad=True), torch.randn(256)
ns, saved, peak_kib = np.array([16, 64, 256, 1024]), [], {False: [], True: []}
for use_checkpoint in [False, True]:
    for n in ns:
        memory, count_saved = LiveKiB(), lambda t: saved.append(t.shape) or t  # noqa: E731
        with memory, torch.autograd.graph.saved_tensors_hooks(count_saved, lambda t: t):
            loss = forward(n, use_checkpoint)
        memory.peak = sum(memory.kib.values())  # what the forward pass left alive
        with memory:
            torch.autograd.grad(loss, w)
        peak_kib[use_checkpoint].append(memory.peak)
        print(f"n = {n:4d}: {len(saved):4d} saved, peak {memory.peak:4.0f} KiB, {use_checkpoint=}")
        expected = 2 * round(n**0.5) if use_checkpoint else 3 * n - 1
        assert len(saved) == expected, f"n={n}: {len(saved)} saved, expected {expected}"
        saved.clear()

# %%
# The peak grows as n without checkpointing, as √n with it
# ---------------------------------------------------------
# Without checkpointing the whole tape is alive when the backward pass starts; with it, the
# peak is the kept inputs plus one recomputed segment's tape. The log-log slopes are 1 and 1/2.
fig, ax = plt.subplots(figsize=(6.4, 4))
for use_checkpoint, expected in [(False, 1.0), (True, 0.5)]:
    slope = np.polyfit(np.log(ns), np.log(peak_kib[use_checkpoint]), 1)[0]
    label = f"{'with' if use_checkpoint else 'without'} checkpointing: log-log slope {slope:.2f}"
    print(label)
    assert abs(slope - expected) < 0.1, f"{label}, expected {expected}"
    ax.loglog(ns, peak_kib[use_checkpoint], "o-", label=label)
ax.set(xlabel="loop length n  (√n segments)", ylabel="KiB", title="Peak in the backward pass")
ax.legend()
fig.tight_layout()

# %%
# What the extra forward pass costs
# ---------------------------------
# A checkpointed training step does two forward passes and one backward pass. We time a forward
# pass and a step with and without checkpointing (``n = 64``; this process's CPU time,
# ``time.process_time``, with PyTorch on one thread; best of 5 runs) and print them as ratios to
# the step without checkpointing. On 65,536 floats the step grows by the printed ``extra``: the
# recomputation (one forward pass) plus checkpoint's own bookkeeping. It was measured while this
# page was built, on that machine's CPU and possibly beside other jobs, so it changes from run
# to run; the assertion only checks that it lies between 0.3 and 4 forward passes. On 256 floats
# the extra is more than 3 forward passes (asserted), so most of it is bookkeeping, not
# recomputation.
threads = torch.get_num_threads()
torch.set_num_threads(1)  # no idle threads spinning in the CPU time
print("n = 64, process CPU time, torch on 1 thread, best of 5, / step without checkpoint")
for size in [65536, 256]:
    w, x0 = torch.randn(size, requires_grad=True), torch.randn(size)
    forward_only, step, checkpointed = (
        min(timeit.repeat(run, timer=time.process_time, number=1, repeat=5))
        for run in [
            lambda: forward(64, False),
            lambda: torch.autograd.grad(forward(64, False), w),  # noqa: B023 (called here)
            lambda: torch.autograd.grad(forward(64, True), w),  # noqa: B023
        ]
    )
    extra = (checkpointed - step) / forward_only
    ratios = f"forward {forward_only / step:.2f}, checkpointed step {checkpointed / step:.2f}"
    print(f"{size:5d} floats: {ratios}; extra = {extra:.1f} forward passes")
    low, high = (0.3, 4.0) if size > 256 else (3.0, np.inf)
    assert low < extra < high, f"{size} floats: {extra:.2f} forward passes, not in {low, high}"
torch.set_num_threads(threads)


# %%
# PyTorch re-runs the Python code: state and ``random`` can change
# ----------------------------------------------------------------
# So a branch on anything but the segment's inputs may go the other way. ``warm_up_block``
# differs on its first call (a lazy initialisation, say): the re-run saves fewer tensors and
# the backward pass raises. ``flip_block`` flips its input when Python's ``random`` says so;
# with this seed the re-run draws the other sign and the gradient is silently negated.
# PyTorch's own generator is restored (``preserve_rng_state=True``): ``torch.rand`` is safe.
calls = []


def warm_up_block(x, w):
    calls.append(x)
    return (w * x) ** 3 if len(calls) == 1 else w * x


def flip_block(x, w, uniform=random.random):
    return (w * x) ** 3 if uniform() < 0.5 else (w * -x) ** 3


w, x0 = torch.tensor([0.5, -1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0, 3.0])
try:
    torch.autograd.grad(checkpoint(warm_up_block, x0, w, use_reentrant=False).sum(), w)
except CheckpointError as err:
    print(f"{type(err).__name__}:", *str(err).strip().splitlines()[:3], sep="\n")
    assert "A different number of tensors was saved" in str(err), str(err)
    counts = [int(c) for c in re.findall(r"during (?:forward|recomputation): (\d+)", str(err))]
    assert len(counts) == 2 and counts[1] < counts[0], f"saved (forward, re-run): {counts}"
else:
    raise AssertionError("checkpoint(warm_up_block) no longer raises CheckpointError")

for name, uniform in [("random.random", random.random), ("torch.rand", lambda: torch.rand(()))]:
    block, gradients = functools.partial(flip_block, uniform=uniform), []
    for run in [block, functools.partial(checkpoint, block, use_reentrant=False)]:
        random.seed(1)
        torch.manual_seed(1)
        gradients.append(torch.autograd.grad(run(x0, w).sum(), w)[0])
    print(f"branch on {name}: gradient {gradients[0]} without checkpoint, {gradients[1]} with")
    expected = -gradients[0] if name == "random.random" else gradients[0]
    torch.testing.assert_close(gradients[1], expected, msg=f"branch on {name}")


# %%
# JAX: √n residuals, and a replay of the traced program
# -----------------------------------------------------
# The residuals held by ``jax.vjp``'s pullback are its pytree leaves, found by
# ``jax.eval_shape`` without computing. On jax |jax_version| there are ``2 n + 1``: ``w``, and
# for each step its input ``x`` (for the derivative of ``w * x``: ``jnp.ones``, then the
# previous step's ``add``) and ``1 - tanh**2``, which ``tanh``'s derivative rule computes in
# the forward pass with one ``one_minus_square``. With ``jax.checkpoint`` on each segment they
# drop to ``k + 1``: ``w`` and the ``k`` segment inputs. ``print_saved_residuals`` names what
# made each one (counted here for ``n = 16``). ``jax.checkpoint`` traces the segment once, and the
# backward pass replays that program without running the Python code again: the two blocks
# above give the same gradients with and without it.
#
# .. release-change:: example: examples/scale/plot_checkpointing.py
def loss_jax(w, n, use_checkpoint):
    x, k = jnp.ones(256), round(n**0.5)
    run = jax.checkpoint(segment, static_argnums=(2, 3)) if use_checkpoint else segment
    for _ in range(k):
        x = run(x, w, n // k, jnp.tanh)
    return x.sum()


for use_checkpoint in [False, True]:
    for n in [16, 64, 144, 256]:
        loss = functools.partial(loss_jax, n=n, use_checkpoint=use_checkpoint)
        _, pullback = jax.eval_shape(functools.partial(jax.vjp, loss), jnp.ones(256))
        residuals = len(jax.tree.leaves(pullback))
        print(f"n = {n:3d}, jax.checkpoint {use_checkpoint!s:5}: {residuals:3d} residual arrays")
        expected = round(n**0.5) + 1 if use_checkpoint else 2 * n + 1
        assert residuals == expected, f"n={n}: {residuals} residuals, expected {expected}"
    loss = functools.partial(loss_jax, n=16, use_checkpoint=use_checkpoint)
    with contextlib.redirect_stdout(io.StringIO()) as listing:
        print_saved_residuals(loss, jnp.ones(256))
    lines = listing.getvalue().splitlines()
    made_by = collections.Counter(re.search(r"(?:output of|argument) (\w+)", x)[1] for x in lines)
    print(f"n =  16, jax.checkpoint {use_checkpoint!s:5}: made by {dict(made_by)}")
    expected = {"w": 1, "broadcast_in_dim": 1}  # w, and the first input x (jnp.ones)
    expected |= {"add": 3} if use_checkpoint else {"one_minus_square": 16, "add": 15}
    assert made_by == expected, f"residuals made by {dict(made_by)}, expected {expected}"

xj, wj = jnp.array([1.0, 2.0, 3.0]), jnp.array([0.5, -1.0, 2.0])
for block in [warm_up_block, flip_block]:
    gradients = []
    for run in [block, jax.checkpoint(block)]:
        calls.clear()
        random.seed(1)
        gradients.append(jax.grad(lambda w, run=run: run(xj, w).sum())(wj))
    print(f"JAX {block.__name__}: {gradients[0]} without jax.checkpoint, {gradients[1]} with")
    np.testing.assert_allclose(gradients[1], gradients[0], err_msg=block.__name__)
