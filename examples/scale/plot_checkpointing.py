"""
=====================================================
Checkpointing: about √n saved, one extra forward pass
=====================================================

The tape of a loop grows with its length (:doc:`/auto_examples/scale/plot_tape_growth`).
Checkpointing cuts the loop of ``n`` steps into segments, keeps only each segment's input, and
recomputes a segment's internals when the backward pass reaches it. With about √n segments of
about √n steps, what is kept drops from about ``n`` tensors to about √n, and the price is one
more forward pass. You will see both counts, measured with ``torch.utils.checkpoint`` and
``jax.checkpoint``, and gradients identical to the ones without checkpointing.

What the tape records, and why, is the subject of :doc:`/guide/why_it_works`.
"""

# %%
# A loop cut into √n checkpointed segments
# ----------------------------------------
# Each step computes ``x + tanh(w * x)`` on 256 floats and counts its calls. ``segment`` runs
# ``m`` steps and logs its index, so we can see when it runs again during backward. With
# ``use_reentrant=False`` the checkpoint saves each segment's input through the ordinary
# saved-tensor machinery, so the pack hook counts those, and nothing from inside a segment.
import contextlib
import io
import re

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from jax.ad_checkpoint import print_saved_residuals
from torch.utils.checkpoint import checkpoint

torch.manual_seed(0)
d = 256
w = torch.randn(d, requires_grad=True)
x0 = torch.randn(d)
calls, segment_log = [0], []


def step(x):
    calls[0] += 1
    return x + torch.tanh(w * x)


def segment(x, i, m):
    segment_log.append(i)
    for _ in range(m):
        x = step(x)
    return x


def run(n, k, use_checkpoint):  # returns (grad, saved tensors, step calls fwd, step calls bwd)
    m, saved = n // k, []
    calls[0] = 0
    segment_log.clear()
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        x = x0
        for i in range(k):
            if use_checkpoint:
                x = checkpoint(segment, x, i, m, use_reentrant=False)
            else:
                x = segment(x, i, m)
    forward_calls = calls[0]
    (g,) = torch.autograd.grad(x.sum(), w)
    return g, len(saved), forward_calls, calls[0] - forward_calls


# %%
# Saved tensors: about n without, exactly √n with
# -----------------------------------------------
# For ``n = 16, 64, 256, 1024`` we use ``k = √n`` segments of ``√n`` steps. Without
# checkpointing, three tensors per step are saved (one fewer in the first step). With it, the
# pack hook sees exactly ``k`` tensors, the segment inputs. During backward one segment at a
# time is recomputed, last first, with its own tape; torch records that tape under its own
# hooks, which ours do not see, so the peak (``k`` plus one segment's tape) is an estimate.
ns = np.array([16, 64, 256, 1024])
plain, kept, peak = [], [], []
for n in ns:
    k = int(round(n**0.5))
    g_plain, s_plain, fwd_plain, bwd_plain = run(n, k, use_checkpoint=False)
    g_ckpt, s_ckpt, fwd_ckpt, bwd_ckpt = run(n, k, use_checkpoint=True)
    recompute_order = segment_log[k:]
    plain.append(s_plain)
    kept.append(s_ckpt)
    peak.append(s_ckpt + 3 * (n // k))  # estimate: inputs kept + one segment's tape
    print(f"n = {n:4d}, k = {k:2d}: saved {s_plain:5d} without, {s_ckpt:2d} with checkpoint "
          f"(ratio {s_plain / s_ckpt:5.1f});  step calls {fwd_plain + bwd_plain} -> "
          f"{fwd_ckpt + bwd_ckpt} (ratio {(fwd_ckpt + bwd_ckpt) / (fwd_plain + bwd_plain):.2f})")
    assert s_plain == 3 * n - 1 and s_ckpt == k
    assert (fwd_plain, bwd_plain, fwd_ckpt, bwd_ckpt) == (n, 0, n, n)  # one extra forward
    assert recompute_order == list(reversed(range(k)))  # last segment recomputed first
    torch.testing.assert_close(g_ckpt, g_plain)
print("gradients identical with and without checkpointing; segments recomputed during the last "
      "backward, in order:", recompute_order[:6], "...")

# %%
# Slopes on a log-log plot
# ------------------------
# The fitted slopes give the scaling directly: 1 for the plain tape, 1/2 for what the
# checkpointed loop keeps. The estimated peak during backward (kept inputs plus one
# recomputed segment) also grows as √n. The price, one extra forward pass, is the step-call
# ratio of 2 above.
slopes = [np.polyfit(np.log(ns), np.log(c), 1)[0] for c in [plain, kept, peak]]
slope_plain, slope_kept, slope_peak = slopes
print(f"log-log slopes: plain {slope_plain:.3f}, kept {slope_kept:.3f}, peak {slope_peak:.3f}")
assert abs(slope_plain - 1) < 0.02 and abs(slope_kept - 0.5) < 0.02 and abs(slope_peak - 0.5) < 0.05

fig, ax = plt.subplots(figsize=(6.4, 4))
ax.loglog(ns, plain, "o-", label=f"no checkpoint (slope {slope_plain:.2f})")
ax.loglog(ns, peak, "^--", label=f"checkpoint, estimated peak (slope {slope_peak:.2f})")
ax.loglog(ns, kept, "s-", label=f"checkpoint, kept after forward (slope {slope_kept:.2f})")
ax.set_xlabel("loop length n  (√n segments)")
ax.set_ylabel("saved tensors")
ax.set_title("Checkpointing trades memory for one recomputation")
ax.legend(fontsize=8)
fig.tight_layout()


# %%
# JAX: ``jax.checkpoint`` on each segment
# ---------------------------------------
# Wrapping the segment in ``jax.checkpoint`` (alias ``jax.remat``) tells ``jax.vjp`` to keep
# only the segment's inputs. ``print_saved_residuals`` for two segments of two steps lists the
# starting vector, ``w`` and one segment boundary. The residuals held by the pullback (its
# pytree leaves; ``jax.eval_shape`` finds them by tracing, without computing) drop from
# ``3 n + 1`` arrays to ``k + 1``, and the gradients agree.
wj = jax.random.normal(jax.random.key(0), (d,))
xj = jax.random.normal(jax.random.key(1), (d,))


def segment_jax(x, w, m):
    for _ in range(m):
        x = x + jnp.tanh(w * x)
    return x


def run_jax(w, n, k, seg):
    x = xj
    for _ in range(k):
        x = seg(x, w, n // k)
    return x.sum()


def pullback_leaves(n, k, seg):  # arrays the pullback of jax.vjp holds, found by tracing
    pullback = jax.eval_shape(lambda w: jax.vjp(lambda w: run_jax(w, n, k, seg), w)[1], wj)
    return len(jax.tree.leaves(pullback))


remat_segment = jax.checkpoint(segment_jax, static_argnums=(2,))
with contextlib.redirect_stdout(io.StringIO()) as listing:
    print_saved_residuals(lambda w: run_jax(w, 4, 2, remat_segment), wj)
print(re.sub(r"from \S*/", "from ", listing.getvalue()))  # file names without this machine's path
for n in [16, 64, 144]:
    k = int(round(n**0.5))
    res = [pullback_leaves(n, k, segment_jax), pullback_leaves(n, k, remat_segment)]
    print(f"n = {n:3d}, k = {k:2d}: residual arrays {res[0]} without, {res[1]} with jax.checkpoint")
    assert res == [3 * n + 1, k + 1]
grads = [jax.grad(run_jax)(wj, 64, 8, seg) for seg in [segment_jax, remat_segment]]
np.testing.assert_allclose(grads[1], grads[0], rtol=1e-5, atol=1e-6)
print("n = 64: gradients agree with and without jax.checkpoint: True")


# %%
# JAX: the recomputation is visible in the jaxpr
# ----------------------------------------------
# The gradient's jaxpr shows the price. Counting its ``tanh`` equations, including those in
# the nested jaxprs of the ``remat`` equations, gives ``n`` without checkpointing and ``2 n``
# with it: each segment's forward runs again inside the backward pass, one extra forward.
def count_tanh(jaxpr):
    total = 0
    for eqn in jaxpr.eqns:
        inner = [getattr(p, "jaxpr", p) for p in eqn.params.values()]  # ClosedJaxpr -> Jaxpr
        total += eqn.primitive.name == "tanh"
        total += sum(count_tanh(j) for j in inner if hasattr(j, "eqns"))
    return total


n, k = 64, 8
counts = [
    count_tanh(jax.make_jaxpr(jax.grad(lambda w, s=s: run_jax(w, n, k, s)))(wj).jaxpr)
    for s in [segment_jax, remat_segment]
]
print(f"tanh equations in the gradient, n = {n}: {counts[0]} without, {counts[1]} with "
      f"jax.checkpoint (ratio {counts[1] / counts[0]:.1f})")
assert counts == [n, 2 * n]
