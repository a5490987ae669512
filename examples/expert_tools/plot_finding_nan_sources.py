"""
==============================================
Finding the operation a NaN gradient came from
==============================================

A NaN gradient does not say where it was made. JAX's ``jax.debug_nans`` checks the outputs of
primitives run op by op, forward and backward, and names the first one whose output is NaN (the
one that made it, when no NaN was already in its inputs); of a jitted function (your ``jit``, or
a ``jnp`` function jitted inside JAX, such as ``norm``) it checks only the outputs and, on a
NaN, re-runs it op by op. ``jax.experimental.checkify`` adds checks inside the program.
PyTorch's ``torch.autograd.detect_anomaly`` checks backward nodes' outputs, not forward values,
and names the first node whose output is NaN. Below, each tool runs on code without structured
operators (``lax.cond``, ``lax.scan``, ``torch.cond``) or ``torch.compile``, whose insides are
not shown here: the site's NaN examples, ``where(x > 0, sqrt(x), 0)`` and ``where(x > 0, log(x),
0)`` at ``x <= 0`` (from :doc:`/auto_examples/caveats/plot_nan_from_untaken_branch`) and JAX's
``norm`` at the zero vector, then on their fix. The guide page :doc:`/guide/expert_tools` puts
them in order.
"""

# %%
# The NaN gradients to hunt
# -------------------------
# Each value is finite at these points; each gradient is NaN. (PyTorch's ``norm`` has gradient
# 0 at the zero vector, printed last, so the ``norm`` row is JAX's only.)
import concurrent.futures
import contextlib
import io
import re
import time
import traceback
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import torch
from jax.experimental import checkify


def where_sqrt(x):
    return jnp.where(x > 0, jnp.sqrt(x), 0.0)


def where_log(x):
    return jnp.where(x > 0, jnp.log(x), 0.0)


CASES = {
    "where sqrt at 0": (where_sqrt, 0.0),
    "where sqrt at -1": (where_sqrt, -1.0),
    "where log at 0": (where_log, 0.0),
    "norm at (0, 0, 0)": (jnp.linalg.norm, jnp.zeros(3)),
}
for name, (fn, point) in CASES.items():
    value, grad = fn(point), jax.grad(fn)(point)
    print(f"{name:>17}: value {value}, gradient {grad}")
    assert np.isfinite(value), f"{name}: value {value}"
    assert np.isnan(grad).all(), f"{name}: gradient {grad}, expected NaN"
torch_norm_grad = torch.func.grad(torch.linalg.norm)(torch.zeros(3))
print(f"PyTorch norm at (0, 0, 0): gradient {torch_norm_grad.tolist()}")
assert not torch_norm_grad.any(), f"PyTorch norm gradient {torch_norm_grad}"

# %%
# ``jax.debug_nans`` names the primitive
# --------------------------------------
# ``jax.debug_nans(True)`` is a context manager that turns ``jax_debug_nans`` on and restores
# it on exit; each primitive's output is then checked, backward pass included. The error names
# ``mul``; its cause, a ``JaxStackTraceBeforeTransformation``, names the line whose
# *derivative* made the NaN. The jaxpr shows which ``mul``: ``sqrt``'s derivative is
# ``0.5 / sqrt(x)``, ``inf`` at 0, and the backward pass multiplies it by the 0 that ``where``
# sends to the untaken branch. The flag is this thread's only: inside the block another thread
# gets a NaN gradient, no error; ``jax.config.update`` sets the global value, which it sees.
try:
    with jax.debug_nans(True):
        jax.grad(where_sqrt)(0.0)
except FloatingPointError as err:
    message = str(err).strip()
    print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:3]))
    assert "invalid value (nan) encountered in mul" in message, f"message: {message}"
    source = traceback.extract_tb(err.__cause__.__traceback__)[-1]
    print(f"{type(err.__cause__).__name__}, in {source.name}: {source.line}")
    assert source.name == "where_sqrt", f"the trace points at {source.name}: {source.line}"
else:
    raise AssertionError("jax.grad(where_sqrt)(0.0) no longer raises FloatingPointError")
assert not jax.config.jax_debug_nans, "the context manager did not restore jax_debug_nans"
jaxpr_lines = str(jax.make_jaxpr(jax.grad(where_sqrt))(0.0)).splitlines()
div_and_mul = [line.strip() for line in jaxpr_lines if " div " in line or " mul " in line]
print("jaxpr of the gradient:", *div_and_mul, sep="\n  ")
assert len(div_and_mul) == 2, f"expected one div and one mul: {div_and_mul}"
with concurrent.futures.ThreadPoolExecutor(1) as other_thread:
    with jax.debug_nans(True):
        in_block = other_thread.submit(jax.grad(where_sqrt), 0.0).result()
    jax.config.update("jax_debug_nans", True)
    seen = other_thread.submit(lambda: jax.config.jax_debug_nans).result()
    jax.config.update("jax_debug_nans", False)
print(f"other thread, in the with block: no error, gradient {in_block}")
print(f"other thread, after jax.config.update: jax_debug_nans = {seen}")
assert np.isnan(in_block) and seen, f"gradient {in_block}, flag {seen}"


# %%
# Forward or backward pass, with and without ``jit``
# --------------------------------------------------
# Checking the *value* alone tells the passes apart: at ``-1`` the untaken ``sqrt(-1)`` is
# NaN already in the forward pass, so even the finite value raises. Under ``jax.jit`` only
# the program's outputs are checked: ``jax.jit(where_sqrt)(-1.0)`` returns its finite value
# without an error. On a NaN output, JAX prints a line and re-runs the function op by op to
# name the primitive. With JAX |jax_version| the line is the same for every error below,
# "in the output of a jax.jit function", printed once without ``jit`` (JAX runs each
# operation as a small compiled program, hence the line even for the value at ``-1``) and
# twice with it. It says "output" for ``jnp.linalg.norm`` too, although the NaN appears in
# norm's backward pass: ``jnp.linalg.norm`` is itself jitted, and its backward pass is a
# second ``jit`` named ``norm`` in the gradient's jaxpr.
#
# .. release-change:: example: examples/expert_tools/plot_finding_nan_sources.py
def debug_nans_report(fn, point):
    """What jax_debug_nans reports for fn(point): the error message and what JAX printed."""
    printed = io.StringIO()
    with jax.debug_nans(True), contextlib.redirect_stdout(printed):
        try:
            fn(point)
        except FloatingPointError as err:
            return str(err), printed.getvalue().strip()
    return "no error", printed.getvalue().strip()


OUTPUT_LINE = (
    "Invalid nan value encountered in the output of a jax.jit function. "
    "Calling the de-optimized version."
)
transforms = [lambda fn: fn, jax.jit, jax.grad, lambda fn: jax.jit(jax.grad(fn))]
expected_primitive = {  # name: (value alone, jax.jit, jax.grad, jax.jit(jax.grad))
    "where sqrt at 0": ("no error", "no error", "mul", "mul"),
    "where sqrt at -1": ("sqrt", "no error", "sqrt", "sqrt"),
    "where log at 0": ("no error", "no error", "div", "div"),
    "norm at (0, 0, 0)": ("no error", "no error", "mul", "mul"),
}
for name, (fn, point) in CASES.items():
    reports = [debug_nans_report(transform(fn), point) for transform in transforms]
    named = [message.removeprefix("invalid value (nan) encountered in ") for message, _ in reports]
    lines = [printed.splitlines() for _, printed in reports]
    counts = [len(printed) for printed in lines]
    print(f"{name:>17}: value alone {named[0]:>8}, jit {named[1]:>8}, grad {named[2]:>4},")
    print(f"{'':>19}jit(grad) {named[3]:>4}; lines printed {counts}")
    assert tuple(named) == expected_primitive[name], f"{name}: {named}"
    assert all(set(printed) <= {OUTPUT_LINE} for printed in lines), f"{name}: printed {lines}"
    expected_counts = [int(named[0] != "no error"), 0, 1, 2]
    assert counts == expected_counts, f"{name}: {counts} lines printed, expected {expected_counts}"
print("every line printed:", OUTPUT_LINE)
norm_jaxpr = str(jax.make_jaxpr(jax.grad(jnp.linalg.norm))(jnp.zeros(3)))
print(f"jit equations named norm in the jaxpr of grad(norm): {norm_jaxpr.count('name=norm')}")
assert norm_jaxpr.count("name=norm") == 2, norm_jaxpr

# %%
# ``checkify``: the checks as an output, under ``jit``
# ----------------------------------------------------
# ``checkify.checkify`` adds the checks to the program and returns their result, so nothing is
# re-run. ``nan_checks`` names the ``mul``; ``float_checks`` (NaN and division by zero) names
# the earlier division ``0.5 / sqrt(0)`` that made the ``inf``. ``error.throw()`` raises the
# public ``checkify.JaxRuntimeError``; its cause's trace ends at the line responsible.
for checks, phrase in [(checkify.nan_checks, "primitive: mul"), (checkify.float_checks, "zero")]:
    error, grad = jax.jit(checkify.checkify(jax.grad(where_sqrt), errors=checks))(0.0)
    print(f"gradient {grad}, error.get(): {error.get()!r}")
    try:
        error.throw()
    except checkify.JaxRuntimeError as err:
        message = str(err).strip()
        print(f"{type(err).__name__}:", "\n".join(message.splitlines()[:3]))
        assert phrase in message, f"expected {phrase!r} in: {message}"
        source = traceback.extract_tb(err.__cause__.__traceback__)[-1]
        print(f"  {type(err.__cause__).__name__} in {source.name}: {source.line}")
        assert source.name == "where_sqrt", f"the trace points at {source.name}"
    else:
        raise AssertionError("error.throw() no longer raises checkify.JaxRuntimeError")


# %%
# PyTorch: ``detect_anomaly`` names the backward node
# ---------------------------------------------------
# Under ``torch.autograd.detect_anomaly()`` autograd records each forward operation's Python
# stack and checks each backward node's output. The error names the node (``SqrtBackward0``,
# ``LogBackward0``), and a warning shows the stack of the forward call that created it. Forward
# values are not checked: ``sqrt(-1)`` passes, so at ``-1`` the error also comes from the
# backward node.
def torch_where(branch, x):
    return torch.where(x > 0, branch(x), 0.0)


torch_cases = {
    "where sqrt at 0": (torch.sqrt, 0.0, "SqrtBackward0"),
    "where sqrt at -1": (torch.sqrt, -1.0, "SqrtBackward0"),
    "where log at 0": (torch.log, 0.0, "LogBackward0"),
}
for name, (branch, point, node) in torch_cases.items():
    x = torch.tensor(point, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with torch.autograd.detect_anomaly():
                torch.autograd.grad(torch_where(branch, x), x)
        except RuntimeError as err:
            message = str(err).strip()
            print(f"{name}: {type(err).__name__}:", "\n".join(message.splitlines()[:3]))
            assert f"Function '{node}' returned nan values" in message, f"message: {message}"
        else:
            raise AssertionError(f"{name}: detect_anomaly no longer raises RuntimeError")
    traces = [str(w.message) for w in caught if f"Error detected in {node}" in str(w.message)]
    assert len(traces) == 1, f"{name}: warnings {[str(w.message) for w in caught]}"
    assert ", in torch_where\n" in traces[0], f"{name}: forward trace {traces[0]}"
trace_lines = [re.sub(r'File ".*/', 'File "', line.rstrip()) for line in traces[0].splitlines()]
print("\n".join(trace_lines[:1] + trace_lines[-3:-1]))
assert not torch.is_anomaly_enabled(), "detect_anomaly did not restore anomaly mode"
with warnings.catch_warnings(record=True), torch.autograd.detect_anomaly():
    forward_nan = torch.sqrt(torch.tensor(-1.0, requires_grad=True))
print("sqrt(-1) under detect_anomaly, no error:", forward_nan.item())
assert forward_nan.isnan(), f"sqrt(-1) = {forward_nan.item()}"

# %%
# ``check_nan=False``, and what anomaly mode costs
# ------------------------------------------------
# With ``check_nan=False`` a NaN passes without an error. Anomaly mode is not free: it records
# the Python stack at every forward operation, so its cost grows with that stack's depth.
# Below, the CPU time (``process_time``) of ten gradients of 150 small operations: plain (best
# of 10) and under ``set_detect_anomaly`` (best of 5), at this script's stack depth and 60
# frames deeper, printed as factors of the plain time. On this page they were measured while
# the site was built: inside sphinx-gallery, which adds frames to the stack, on that machine's
# CPU and possibly beside other jobs. Run alone, the script starts at a shallower stack (its
# printed depths are smaller), and as the cost grows with depth, expect smaller factors.
# The assertions ask only for more than 1.5 times plain, and for more time at the deeper
# stack.
x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True)
with warnings.catch_warnings(record=True), torch.autograd.detect_anomaly(check_nan=False):
    (unchecked,) = torch.autograd.grad(torch_where(torch.sqrt, x).sum(), x)
print("check_nan=False, no error, gradient:", unchecked.tolist())
np.testing.assert_equal(unchecked.numpy(), [np.nan, np.nan, 0.25], err_msg="check_nan=False")


def ten_gradients(x, extra_frames):
    if extra_frames:
        return ten_gradients(x, extra_frames - 1)
    start = time.process_time()
    for _ in range(10):
        y = x
        for _ in range(50):
            y = torch.sin(y) * 1.01 + 0.1
        torch.autograd.grad(y.sum(), x)
    return time.process_time() - start, len(traceback.extract_stack())


chain = torch.linspace(-1.0, 1.0, 100, requires_grad=True)
plain, frames = min(ten_gradients(chain, 0) for _ in range(10))
print(f"plain, stack depth {frames}: the unit of the factors below")
anomaly = {}  # extra frames: (best CPU seconds, stack depth)
for extra in (0, 60):
    with torch.autograd.set_detect_anomaly(True):  # reset on exit
        anomaly[extra] = min(ten_gradients(chain, extra) for _ in range(5))
    (seconds, frames), ratio = anomaly[extra], anomaly[extra][0] / plain
    print(f"anomaly mode, stack depth {frames}: {ratio:.1f}x plain")
    assert ratio > 1.5, f"anomaly {seconds:.4f} s, plain {plain:.4f} s"
assert anomaly[60][0] > 1.1 * anomaly[0][0], f"not slower deeper: {anomaly}"


# %%
# The fix, and the tools stay silent
# ----------------------------------
# The double ``where`` gives the untaken branch a safe input (1.0; for ``norm``, a safe sum of
# squares). Nothing is NaN in either pass: ``debug_nans``, ``checkify`` under ``jit`` and
# ``detect_anomaly`` run without an error. Each gradient is the slope at 4 (1/(2 sqrt(4)) or
# 1/4), else the constant branch's 0, even where no derivative exists: at 0 and (0, 0, 0).
def safe_where(branch, x):
    return jnp.where(x > 0, branch(jnp.where(x > 0, x, 1.0)), 0.0)


def safe_norm(x):
    squares = jnp.sum(x * x)
    return jnp.where(squares > 0, jnp.sqrt(jnp.where(squares > 0, squares, 1.0)), 0.0)


points = jnp.array([-1.0, 0.0, 4.0])
fixed = {  # name: (function, point, expected gradient)
    "sqrt": (lambda x: safe_where(jnp.sqrt, x).sum(), points, [0.0, 0.0, 0.25]),
    "log": (lambda x: safe_where(jnp.log, x).sum(), points, [0.0, 0.0, 0.25]),
    "norm": (safe_norm, jnp.zeros(3), [0.0, 0.0, 0.0]),
}
for name, (fn, at, expected) in fixed.items():
    with jax.debug_nans(True):
        gradient = jax.grad(fn)(at)
    error, _ = jax.jit(checkify.checkify(jax.grad(fn), errors=checkify.float_checks))(at)
    print(f"JAX {name:>4}: gradient under debug_nans {gradient}, checkify: {error.get()}")
    np.testing.assert_array_equal(gradient, expected, err_msg=f"JAX double where, {name}")
    assert error.get() is None, f"JAX {name}: checkify reports {error.get()}"
for name, branch in [("sqrt", torch.sqrt), ("log", torch.log)]:
    x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings(record=True), torch.autograd.detect_anomaly():
        safe = torch.where(x > 0, x, 1.0)
        (gradient,) = torch.autograd.grad(torch.where(x > 0, branch(safe), 0.0).sum(), x)
    print(f"PyTorch {name}: gradient under detect_anomaly {gradient.tolist()}")
    np.testing.assert_equal(gradient.numpy(), [0.0, 0.0, 0.25], err_msg=f"double where, {name}")
