"""
========================================
Per-call overhead of five ways to branch
========================================

A branch on a small input costs almost nothing to compute, so what you pay per call is the
machinery around it. This example times one tiny function, ``sin(x)`` if ``x.sum() > 0`` else
``cos(x)``, written five ways: a Python ``if`` in eager PyTorch, ``torch.cond`` in eager mode,
``torch.cond`` under ``torch.compile``, ``lax.cond`` under ``jax.jit``, and a Python ``if``
on a static argument of ``jax.jit``, with its recompilations counted and its call timed with
and without computing the predicate. Times are shown only as ratios to the eager Python ``if``
measured in the same run; absolute microseconds on a shared machine are noise.

When to reach for each construct is discussed in :doc:`/guide/compilers`.
"""

# %%
# The five versions
# -----------------
# All five return the same values on a positive and a negative input. In eager mode,
# ``torch.cond`` with a tensor predicate compiles itself: it calls
# ``torch.compile(..., fullgraph=True)`` internally on every call, which hits a cache after the
# first. The static-argument version needs the predicate as a Python ``bool``, so the caller
# computes ``bool(x.sum() > 0)`` first; that device-to-host read is part of its cost.
import functools
import time
import timeit

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch._dynamo
from jax import lax

torch._dynamo.reset()


def python_if(x):
    if x.sum() > 0:
        return x.sin()
    return x.cos()


def torch_cond(x):
    return torch.cond(x.sum() > 0, lambda x: x.sin(), lambda x: x.cos(), (x,))


graphs = []


def eager_backend(gm, example_inputs):  # the "eager" backend, counting the graphs it gets
    graphs.append(gm)
    return gm.forward


compiled_cond = torch.compile(torch_cond, backend=eager_backend, fullgraph=True)


@jax.jit
def lax_cond(x):
    return lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x)


traces = []


@functools.partial(jax.jit, static_argnums=1)
def static_if(x, positive):
    traces.append(positive)  # runs only while tracing, i.e. once per compilation
    return jnp.sin(x) if positive else jnp.cos(x)


def static_call(x):
    return static_if(x, bool(x.sum() > 0))


x_t = torch.tensor([0.5, -1.0, 2.0])
x_j = jnp.array([0.5, -1.0, 2.0])
for sign in [1.0, -1.0]:
    expected = (x_t * sign).sin() if sign > 0 else (x_t * sign).cos()
    for fn in [python_if, torch_cond, compiled_cond]:
        torch.testing.assert_close(fn(x_t * sign), expected, msg=f"{fn.__name__}, sign {sign}")
    for fn in [lax_cond, static_call]:
        np.testing.assert_allclose(
            fn(x_j * sign), expected.numpy(), rtol=1e-6, err_msg=f"{fn.__name__}, sign {sign}"
        )
print("all five versions agree on both branches")

# %%
# Compilations: one graph for ``torch.cond``, one trace per static value
# ----------------------------------------------------------------------
# The compiled ``torch.cond`` captured both branches in a single graph, so the negative input
# did not trigger a recompilation. The static-argument version was traced once for ``True``
# and once for ``False``; further calls reuse those two compilations.
for _ in range(3):
    static_call(x_j)
    static_call(-x_j)
print(f"torch.compile graphs for torch.cond: {len(graphs)}")
print(f"jax.jit traces with static_argnums: {len(traces)} (values {traces})")
assert len(graphs) == 1, f"torch.compile captured {len(graphs)} graphs for torch.cond"
assert traces == [True, False], f"jax.jit traced static_if for {traces}"

# %%
# Time per call, as a ratio to the eager Python ``if``
# ----------------------------------------------------
# Each version is timed with ``timeit`` on the positive input, after warm-up, in batches of
# calls lasting about 20 ms: five rounds over all versions, keeping each one's best batch.
# The clock is this process's CPU time (``time.process_time``, all its threads), which does
# not count the time other programs hold the CPU. JAX calls wait for the result
# (``block_until_ready``) so that asynchronous dispatch does not hide the work. The ratios
# were measured while this page was built, on that machine's CPU and possibly beside other
# jobs, so they change from run to run; the assertions below use factors of 2 and 3.
candidates = {
    "eager Python if": lambda: python_if(x_t),
    "eager torch.cond": lambda: torch_cond(x_t),
    "compiled torch.cond": lambda: compiled_cond(x_t),
    "jit lax.cond": lambda: lax_cond(x_j).block_until_ready(),
    "jit static if + bool(pred)": lambda: static_call(x_j).block_until_ready(),
    "jit static if, bool known": lambda: static_if(x_j, True).block_until_ready(),
}
timers = {name: timeit.Timer(call, timer=time.process_time) for name, call in candidates.items()}
numbers = {name: max(10, int(0.02 / (t.timeit(10) / 10))) for name, t in timers.items()}
per_call = dict.fromkeys(candidates, float("inf"))
for _ in range(5):  # rounds over all versions, so a busy moment does not hit just one
    for name, timer in timers.items():
        per_call[name] = min(per_call[name], timer.timeit(numbers[name]) / numbers[name])
ratios = {name: t / per_call["eager Python if"] for name, t in per_call.items()}
print("CPU time per call, best of 5 batches of about 20 ms, / eager Python if")
for name, ratio in ratios.items():
    print(f"{name:28s} {ratio:6.1f} x eager Python if")
cheap = ["eager Python if", "jit lax.cond", "jit static if, bool known"]
dearest_cheap = max(ratios[name] for name in cheap)
for name in ["eager torch.cond", "compiled torch.cond"]:
    assert ratios[name] > 3 * dearest_cheap, f"{name}: {ratios[name]:.1f}, {dearest_cheap:.1f}"
predicate_cost = ratios["jit static if + bool(pred)"] / ratios["jit static if, bool known"]
assert predicate_cost > 2, f"the call with bool(pred) takes only {predicate_cost:.1f} x longer"

fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.barh(list(ratios), list(ratios.values()), color=["C0"] * 3 + ["C1"] * 3)
ax.axvline(1.0, color="grey", lw=0.8)
ax.set_xscale("log")
ax.invert_yaxis()
ax.set_xlabel("time per call / eager Python if")
ax.set_title("Per-call overhead (blue: PyTorch, orange: JAX)")
fig.tight_layout()

# %%
# Reading the ratios
# ------------------
# In torch |torch_version| and jax |jax_version|, the eager ``if``, ``lax.cond`` under ``jit``
# and the static-argument call with a known ``bool`` are the cheap ones, each more than 3 times
# cheaper than the prototype ``torch.cond`` in either form (asserted): one dispatch of a few
# tiny kernels. Computing the predicate for the static argument adds a separate JAX dispatch and
# a device-to-host read, which costs more than the call itself (asserted: the call with it takes
# more than twice as long); and every new static value costs a compilation.
# ``torch.cond`` costs more per call in both forms: each call goes through TorchDynamo's
# cache checks and the Python-level dispatch of the ``cond`` higher-order operator, and the
# eager form also sets up a ``torch.compile`` call every time. Its value is not speed on tiny
# inputs but one graph holding both branches, for ``torch.compile`` and ``torch.export``.
torch._dynamo.reset()
