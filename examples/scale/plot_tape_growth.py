"""
========================================
The tape grows linearly with loop length
========================================

Reverse mode has to keep, for every operation that ran, the values its derivative needs. A
Python loop of ``n`` steps therefore leaves a record that is ``n`` times the record of one
step, and the backward pass replays all of it. You will see the number and the bytes of the
tensors PyTorch saves for backward, counted with ``torch.autograd.graph.saved_tensors_hooks``,
and the backward time, for loops of 10 to 10,000 steps; then the arrays that ``jax.vjp`` keeps
for its pullback. Every trend is a fitted line or a log-log slope, not a time typed by hand.

Why a loop is recorded step by step is explained in :doc:`/guide/why_it_works`;
checkpointing (:doc:`/auto_examples/scale/plot_checkpointing`) is the standard way to pay
less memory for it.
"""

# %%
# Counting what autograd saves
# ----------------------------
# Each step computes ``x + tanh(w * x)`` on a vector of 256 floats. A pack hook sees every
# tensor autograd saves: ``mul`` saves ``x`` and ``w``, ``tanh`` saves its output, ``add``
# saves nothing. The first step saves no ``w``: its ``x`` needs no gradient, so ``mul`` does
# not keep the factor that gradient would need. The hook's list for two steps, named:
import collections
import contextlib
import io
import re
import time

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from jax.ad_checkpoint import print_saved_residuals

torch.manual_seed(0)
d = 256
w = torch.randn(d, requires_grad=True)
x0 = torch.randn(d)


def run(n):
    x = x0
    for _ in range(n):
        x = x + torch.tanh(w * x)
    return x.sum()


saved = []


def keep(t):  # pack hook: keep t, hand autograd t.detach() (as its docs advise)
    saved.append(t)
    return t.detach()


with torch.autograd.graph.saved_tensors_hooks(keep, lambda t: t):
    x1 = x0 + (t0 := torch.tanh(w * x0))
    x2 = x1 + (t1 := torch.tanh(w * x1))
names = {id(x0): "x0", id(w): "w", id(t0): "tanh(w*x0)", id(x1): "x1", id(t1): "tanh(w*x1)"}
order = [names.get(id(t), "unknown") for t in saved]
print("saved for two steps:", ", ".join(order))
assert order == ["x0", "tanh(w*x0)", "x1", "w", "tanh(w*x1)"], f"saved {order}"

# %%
# ``w`` is the same storage every time, so we also count distinct storages (by ``data_ptr``),
# which is what the memory actually holds. The hook keeps the tensors alive, so pointers are
# not reused.
ns = np.array([10, 30, 100, 300, 1000, 3000, 10000])
count, distinct, nbytes, saved = [], [], [], []
for n in ns:
    saved.clear()
    with torch.autograd.graph.saved_tensors_hooks(keep, lambda t: t):
        run(n)
    ptrs = {t.data_ptr(): t.untyped_storage().nbytes() for t in saved}
    count.append(len(saved))
    distinct.append(len(ptrs))
    nbytes.append(sum(ptrs.values()))
    print(f"n = {n:5d}: {count[-1]:5d} saved, {distinct[-1]:5d} distinct, {nbytes[-1]:8d} bytes")

# %%
# The count is an exact straight line
# -----------------------------------
# A least-squares line through the counts, rounded to integers, reproduces every count
# exactly: 3 saved tensors per step, less the ``w`` the first step does not save, so
# ``3n - 1``. Distinct storages are ``x`` and the ``tanh`` output per step plus ``w`` once,
# ``2n + 1``; the bytes are that count times 1,024 bytes.
for name, ys, expected in [
    ("saved tensors", count, (3, -1)),
    ("distinct storages", distinct, (2, 1)),
]:
    a, b = np.round(np.polyfit(ns, ys, 1)).astype(int)
    print(f"{name}: {a} * n + ({b})")
    assert list(ys) == [a * n + b for n in ns], f"{name} {ys} are not {a} * n + ({b})"
    assert (a, b) == expected, f"{name}: {a} * n + ({b}), expected {expected}"
print(f"bytes per distinct storage: {nbytes[-1] / distinct[-1]:.0f}   expected {d * 4}")
assert nbytes == [count * d * 4 for count in distinct], f"bytes {nbytes}, storages {distinct}"

# %%
# Backward time grows with the tape
# ---------------------------------
# We time ``torch.autograd.grad`` alone (the forward pass is rebuilt before each timing) as
# CPU time of this process (``time.process_time``, which does not count the time other
# programs hold the CPU), keep the best of 3 runs (2 from ``n = 3000``), and fit a line to log
# time against log ``n``. A slope of 1 means proportional. Small loops carry a fixed per-call
# cost and the cost per step creeps up for the largest graphs (see the figure), so the slope
# is near 1 but not exactly 1; the assertion allows a wide band, 0.6 to 1.4. The times were
# measured while this page was built, on that machine's CPU and possibly beside other jobs,
# and change from run to run; the ratio of the end points printed under the slope is not
# asserted.
backward = []
for n in ns:
    best = float("inf")
    for _ in range(2 if n >= 3000 else 3):
        y = run(n)
        start = time.process_time()
        torch.autograd.grad(y, w)
        best = min(best, time.process_time() - start)
    backward.append(best)
slope = np.polyfit(np.log(ns), np.log(backward), 1)[0]
print("backward CPU time, best of 3 runs (2 from n = 3000):")
print(f"log-log slope over {len(ns)} sizes: {slope:.2f}   (1.0 = linear)")
print(f"n=10,000 / n=10: {backward[-1] / backward[0]:.0f}   (n ratio 1000)")
assert 0.6 < slope < 1.4, f"backward time grows with log-log slope {slope:.2f}"

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.6))
ax1.loglog(ns, count, "o-", label="saved tensors (pack calls)")
ax1.loglog(ns, distinct, "s--", label="distinct storages")
ax1.set_xlabel("loop length n")
ax1.set_ylabel("count")
ax1.set_title("What autograd saves")
ax1.legend()
ax2.loglog(ns, np.array(backward) * 1e3, "o-", label=f"measured (slope {slope:.2f})")
ax2.loglog(ns, backward[2] * 1e3 * ns / ns[2], "k:", label="slope 1")
ax2.set_xlabel("loop length n")
ax2.set_ylabel("backward, CPU time (ms)")
ax2.set_title("Backward time")
ax2.legend()
fig.tight_layout()

# %%
# JAX: the residuals of ``jax.vjp``
# ---------------------------------
# ``jax.vjp`` returns a pullback that holds the *residuals*, the arrays the backward pass
# needs; they are the leaves of its pytree. ``print_saved_residuals`` names them for two
# steps. In jax |jax_version| they are the starting vector (a constant) and ``w`` once, then
# per step ``1 - tanh**2`` (the output of ``one_minus_square``; the ``tanh`` output itself is
# not kept) and, from the second step on, the step's input ``x`` (the previous ``add``).
wj = jax.random.normal(jax.random.key(0), (d,))
xj = jax.random.normal(jax.random.key(1), (d,))


def run_jax(w, n):
    x = xj
    for _ in range(n):
        x = x + jnp.tanh(w * x)
    return x.sum()


with contextlib.redirect_stdout(io.StringIO()) as listing:
    print_saved_residuals(lambda w: run_jax(w, 2), wj)
print(re.sub(r"from \S*/", "from ", listing.getvalue()))  # file names without this machine's path


def residual_sources(n):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        print_saved_residuals(lambda w: run_jax(w, n), wj)
    lines = out.getvalue().splitlines()
    return [
        m[1] if (m := re.match(r"\S+ output of (\S+) from ", line)) else line.split(" from ", 1)[1]
        for line in lines
    ]


# %%
# Counted by source for 16 steps, that is ``n`` arrays from ``one_minus_square``, ``n - 1``
# from ``add`` and two more, ``2n + 1`` in all, the same number as the leaves of the pullback.
#
# .. release-change:: example: examples/scale/plot_tape_growth.py
n = 16
sources = dict(collections.Counter(residual_sources(n)))
n_leaves = len(jax.tree_util.tree_leaves(jax.vjp(lambda w: run_jax(w, n), wj)[1]))
print(f"n = {n}: {sources}, {sum(sources.values())} in all, {n_leaves} pullback leaves")
expected = {"a constant": 1, "the argument w": 1, "one_minus_square": n, "add": n - 1}
assert sources == expected, f"residuals by source {sources}, expected {expected}"
assert n_leaves == 2 * n + 1, f"{n_leaves} pullback leaves, expected {2 * n + 1}"

# %%
# Executing op by op is slow in JAX, so we stop at ``n = 300``; the line fitted through the
# counts is the same ``2n + 1``.
ns_jax = np.array([10, 30, 100, 300])
residuals = []
for n in ns_jax:
    _, pullback = jax.vjp(lambda w, n=n: run_jax(w, n), wj)
    leaves = jax.tree_util.tree_leaves(pullback)
    residuals.append(len(leaves))
    print(f"n = {n:3d}: {len(leaves):4d} residual arrays, {sum(r.nbytes for r in leaves):7d} bytes")
a, b = np.round(np.polyfit(ns_jax, residuals, 1)).astype(int)
print(f"residual arrays: {a} * n + ({b})")
assert residuals == [a * n + b for n in ns_jax], f"{residuals} are not {a} * n + ({b})"
assert (a, b) == (2, 1), f"residual arrays {a} * n + ({b}), expected 2 * n + (1)"
