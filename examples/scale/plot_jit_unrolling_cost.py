"""
======================================================
Compiling a Python loop: program size and compile time
======================================================

Under ``jax.jit`` a Python ``for`` runs while tracing, so the compiled program contains one
copy of the body per iteration: its size, and the time to compile it, grow with the trip
count. ``lax.fori_loop`` and ``lax.scan`` put a single copy of the body inside a loop
primitive, so their program and compile time stay flat; the memory their reverse-mode
gradient needs does not. You will see the jaxpr size, the compile time and the run time of
each style for 10 to 1,000 iterations, as slopes and ratios from this run, the residuals
their gradients keep, and the same unrolling in a traced PyTorch graph.

The guide page :doc:`/guide/compilers` explains why tracing unrolls, and which loop
primitives support which derivatives.
"""

# %%
# Three ways to write the same loop
# ---------------------------------
# Each version applies ``sin`` ``n`` times to a vector of 256 floats. The jaxpr of the Python
# loop has ``n`` equations; ``fori_loop`` (with Python-int bounds it becomes a ``scan``) and
# ``scan`` have one, whatever ``n`` is. All three compute the same values.
import time
import timeit

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.fx
from jax import lax


def python_loop(x, n):
    for _ in range(n):
        x = jnp.sin(x)
    return x


def fori(x, n):
    return lax.fori_loop(0, n, lambda i, x: jnp.sin(x), x)


def scan(x, n):
    return lax.scan(lambda x, _: (jnp.sin(x), None), x, length=n)[0]


styles = {"Python loop": python_loop, "fori_loop": fori, "scan": scan}
x = jax.random.normal(jax.random.key(0), (256,))
ns = np.array([10, 30, 100, 300, 1000])
print("n =", ns.tolist())
for name, fn in styles.items():
    sizes = [len(jax.make_jaxpr(lambda x, n=n, fn=fn: fn(x, n))(x).eqns) for n in ns]
    print(f"{name:12s} jaxpr equations: {sizes}")
    expected = list(ns) if fn is python_loop else [1] * len(ns)
    assert sizes == expected, f"{name}: {sizes} jaxpr equations, expected {expected}"
for name, fn in styles.items():
    np.testing.assert_allclose(fn(x, 30), python_loop(x, 30), rtol=1e-5, atol=1e-6, err_msg=name)

# %%
# Compile time grows only for the unrolled loop
# ---------------------------------------------
# For each ``n`` a fresh ``jax.jit`` is traced, lowered and compiled ahead of time
# (``.lower(x).compile()``), so no cache helps. Compile cost is the CPU time of this process
# (``time.process_time``, all its threads), which does not count the time other programs hold
# the CPU; for the loop primitives the end points take the best of two compilations. It was
# measured while this page was built, on that machine's CPU and possibly beside other jobs,
# so the printed ratios change from run to run; the assertions use factors of 3. Compile
# time of the Python loop grows with ``n`` (asserted: more than 3 times from 10 to 1,000
# iterations); for ``fori_loop`` and ``scan`` it stays within a factor of 3, and at
# ``n = 1000`` the unrolled loop takes more than 3 times as long to compile as ``scan``.
jax.jit(jnp.sin).lower(x).compile()  # warm up the compiler once
compile_s, compiled = {}, {}
print("trace + compile, CPU time (loop primitives' end points: best of 2)")
for name, fn in styles.items():
    compile_s[name] = []
    for n in ns:
        best = float("inf")
        for _ in range(2 if fn is not python_loop and n in (ns[0], ns[-1]) else 1):
            start = time.process_time()
            compiled[name, n] = jax.jit(lambda x, n=n, fn=fn: fn(x, n)).lower(x).compile()
            best = min(best, time.process_time() - start)
        compile_s[name].append(best)
    ratio = compile_s[name][-1] / compile_s[name][0]
    slope = np.polyfit(np.log(ns), np.log(compile_s[name]), 1)[0]
    print(f"{name:12s} compile time n=1000 / n=10: {ratio:5.1f}  (log-log slope {slope:.2f})")
    if fn is python_loop:
        assert ratio > 3, f"{name}: compile time grew only {ratio:.1f} times"
    else:
        assert 1 / 3 < ratio < 3, f"{name}: compile time changed {ratio:.1f} times"
unrolled_vs_scan = compile_s["Python loop"][-1] / compile_s["scan"][-1]
print(f"Python loop / scan compile time at n=1000: {unrolled_vs_scan:.1f}")
assert unrolled_vs_scan > 3, f"unrolled / scan compile time at n=1000: {unrolled_vs_scan:.1f}"

# %%
# Run time once compiled
# ----------------------
# Each compiled function is timed in batches of 10 calls, five rounds over all of them, keeping
# each one's best batch, as CPU time of this process, during the build as above. Run time grows
# with ``n`` in every style (asserted: more than 5 times from 10 to 1,000 iterations), because
# the work does. At ``n = 1000`` no style runs even twice as fast as ``scan`` (asserted); the
# printed ratios say how each compared in this build (above 1: slower than ``scan``), while the
# unrolled loop cost more than 3 times as much to compile. That is one loop body (``sin`` on 256
# floats) on one CPU, not a rule for other bodies or backends; partial unrolling,
# ``lax.scan(..., unroll=k)``, which puts ``k`` copies of the body in each step of the loop, is
# not timed here.
batches, cpu_time = {key: [] for key in compiled}, time.process_time
for _ in range(5):
    for key, fn in compiled.items():
        call = timeit.Timer(lambda fn=fn: fn(x).block_until_ready(), timer=cpu_time)
        batches[key].append(call.timeit(number=10))
run_s = {name: [min(batches[name, n]) / 10 for n in ns] for name in styles}
print("run time per call, CPU time, best of 5 batches of 10 calls")
for name in styles:
    grow = run_s[name][-1] / run_s[name][0]
    vs_scan = run_s[name][-1] / run_s["scan"][-1]
    print(
        f"{name:12s} run time n=1000 / n=10: {grow:5.1f};  at n=1000, relative to scan: "
        f"{vs_scan:.2f}"
    )
    assert grow > 5, f"{name}: run time grew only {grow:.1f} times from n=10 to n=1000"
    assert vs_scan > 1 / 2, f"{name}: run time {vs_scan:.2f} x scan at n=1000"

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.6))
for name in styles:
    ax1.loglog(ns, np.array(compile_s[name]) * 1e3, "o-", label=name)
    ax2.loglog(ns, np.array(run_s[name]) * 1e6, "o-", label=name)
ax1.set(xlabel="trip count n", ylabel="trace + compile, CPU time (ms)", title="Compile time")
ax2.set(xlabel="trip count n", ylabel="CPU time per call (µs)")
ax2.set_title("Run time once compiled")
ax1.legend()
ax2.legend()
fig.tight_layout()


# %%
# Flat program, linear memory: the gradient of a loop primitive
# -------------------------------------------------------------
# A loop primitive keeps the *program* flat, not what reverse mode stores. The pullback of
# ``jax.vjp`` holds the residuals (its pytree leaves): for each style, one ``cos(x)`` of 256
# floats per iteration, exactly ``1024 n`` bytes; ``scan`` stacks them into one array of ``n``
# rows. The compiled gradient of ``scan`` reserves its temporary buffers accordingly
# (``memory_analysis()`` of the compiled program): both grow with slope 1 in ``n``.
residual_bytes = {name: [] for name in styles}
temp_bytes = []
for n in ns:
    for name, fn in styles.items():
        _, pullback = jax.vjp(lambda x, n=n, fn=fn: fn(x, n), x)
        residual_bytes[name].append(sum(leaf.nbytes for leaf in jax.tree.leaves(pullback)))
    grad_scan = jax.jit(jax.grad(lambda x, n=n: scan(x, n).sum())).lower(x).compile()
    temp_bytes.append(grad_scan.memory_analysis().temp_size_in_bytes)
for name in styles:
    print(f"{name:12s} residual bytes: {residual_bytes[name]}")
    assert residual_bytes[name] == [1024 * n for n in ns], f"{name}: {residual_bytes[name]}"
slope = np.polyfit(np.log(ns), np.log(temp_bytes), 1)[0]
print(f"compiled gradient of scan, temporary bytes: {temp_bytes} (log-log slope {slope:.2f})")
assert abs(slope - 1) < 0.1, f"temporary bytes of grad(scan) grow with slope {slope:.2f}"


# %%
# PyTorch: a traced graph unrolls the loop too
# --------------------------------------------
# Any tracer runs the Python loop, so it records one copy of the body per iteration.
# ``torch.fx.symbolic_trace``, with ``n`` given as a concrete Python int, shows it cheaply:
# its graph has one ``sin`` node per iteration, just like the jaxpr above. TorchDynamo, the
# graph capture of ``torch.compile``, also runs the Python code while it captures; what it
# does with branches is shown in :doc:`/auto_examples/compilers/plot_torch_compile_branches`.
x_t = torch.randn(256, generator=torch.Generator().manual_seed(0))


def torch_loop(x, n):
    for _ in range(n):
        x = torch.sin(x)
    return x


nodes = []
for n in ns.tolist():
    graph_module = torch.fx.symbolic_trace(torch_loop, concrete_args={"n": n})
    nodes.append(sum(node.target is torch.sin for node in graph_module.graph.nodes))
    torch.testing.assert_close(graph_module(x_t, n), torch_loop(x_t, n), msg=f"FX graph, n={n}")
print("sin nodes in the FX graph:", nodes)
assert nodes == ns.tolist(), f"sin nodes {nodes}, expected {ns.tolist()}"
