"""
========================================================================
A define-by-run tape in under 100 lines, checked against PyTorch and JAX
========================================================================

Reverse-mode autodiff in PyTorch works *define-by-run* (and ``jax.grad``
outside ``jit`` behaves the same way, because it too runs your Python on real
numbers): every arithmetic operation is written down on a tape while the Python
code runs, and the backward pass walks that tape in reverse. Python's
``if``, ``while`` and recursion are never seen by the tape; only the operations
that actually executed are recorded. This one idea explains why gradients follow
Python control flow, why only the executed branch counts, and why ``.item()``
silently cuts the gradient.

Below we build such a tape in plain Python (no PyTorch or JAX inside it), run
the same programs on the tape, on PyTorch and on JAX, print their gradients side
by side and assert that they agree. Then we look at the tapes recorded for two
inputs that take different branches. The prose version of the argument is in
:doc:`/guide/why_it_works`.
"""

# %%
# The tape
# --------
# ``Value`` holds a float, the operation that produced it and its parents, each
# paired with the *local* derivative of the result with respect to that parent,
# evaluated at the current numbers. ``backward`` orders the recorded nodes so
# that every node comes after its parents, then walks that list in reverse,
# applying the chain rule. Comparisons return a plain Python ``bool``: that is
# the whole reason ``if`` and ``while`` work. This block is the complete
# implementation; the script counts its lines in the next cell.

# ---- tape: begin ----
import math


class Value:
    """A scalar that remembers how it was computed: one node of the tape."""

    def __init__(self, data, parents=(), op="input"):
        self.data = float(data)  # the plain number
        self.parents = parents  # ((parent Value, local derivative), ...)
        self.op = op  # name of the operation, for printing
        self.grad = 0.0  # d(output)/d(self), filled in by backward()

    # Each operation computes the number now AND records its inputs together
    # with d(result)/d(input) at the current numbers.
    def __add__(self, other):
        other = lift(other)
        return Value(self.data + other.data, ((self, 1.0), (other, 1.0)), "add")

    def __sub__(self, other):
        other = lift(other)
        return Value(self.data - other.data, ((self, 1.0), (other, -1.0)), "sub")

    def __mul__(self, other):
        other = lift(other)
        return Value(self.data * other.data, ((self, other.data), (other, self.data)), "mul")

    def __truediv__(self, other):
        other = lift(other)
        a, b = self.data, other.data
        return Value(a / b, ((self, 1 / b), (other, -a / b**2)), "div")

    def __pow__(self, k):  # constant exponent only: x ** 3
        assert not isinstance(k, Value), "exponent must be a plain number"
        return Value(self.data**k, ((self, k * self.data ** (k - 1)),), f"pow{k}")

    # Negation and the reflected versions (a plain number first: 2 - x, 1 / x).
    def __neg__(self): return self * -1
    def __rsub__(self, other): return lift(other) - self
    def __rtruediv__(self, other): return lift(other) / self
    __radd__, __rmul__ = __add__, __mul__

    # Comparisons read the numbers and return a plain bool; nothing is recorded.
    # Python's if/while therefore decide the branch now, with real numbers.
    def __lt__(self, other): return self.data < lift(other).data
    def __le__(self, other): return self.data <= lift(other).data
    def __gt__(self, other): return self.data > lift(other).data
    def __ge__(self, other): return self.data >= lift(other).data
    def __bool__(self): return self.data != 0.0


def lift(x):
    """Wrap a plain number as a constant leaf (its gradient is never used)."""
    return x if isinstance(x, Value) else Value(x, op="const")


def sin(x): return Value(math.sin(x.data), ((x, math.cos(x.data)),), "sin")
def exp(x): return Value(math.exp(x.data), ((x, math.exp(x.data)),), "exp")
def log(x): return Value(math.log(x.data), ((x, 1 / x.data),), "log")


def topological_order(out):
    """All nodes ``out`` depends on, each listed after its parents."""
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for parent, _ in v.parents:
                visit(parent)
            order.append(v)

    visit(out)
    return order


def backward(out):
    """Reverse mode: push d(out)/d(node) from ``out`` back to every node."""
    order = topological_order(out)
    for v in order:
        v.grad = 0.0
    out.grad = 1.0
    for v in reversed(order):  # v.grad is complete before it is passed on
        for parent, local in v.parents:
            parent.grad += local * v.grad  # chain rule, summed over all uses


def grad(f):
    """``grad(f)(x)`` is df/dx at the plain number ``x``, like ``jax.grad``."""
    def df(x):
        x = Value(x)
        backward(f(x))
        return x.grad
    return df
# ---- tape: end ----

# %%
# Counting the lines
# ------------------
# The claim "under 100 lines" is checked, not typed: the script reads its own
# source (the file the functions above were compiled from) and counts the lines
# between the two marker comments, markers, comments and blank lines included.
import inspect
import linecache

source = [line.rstrip("\n") for line in linecache.getlines(inspect.getsourcefile(backward))]
first = source.index("# ---- tape: begin ----")
last = source.index("# ---- tape: end ----")
n_tape_lines = last - first + 1
print(f"the tape implementation is {n_tape_lines} lines long (limit: under 100)")
assert n_tape_lines < 100

# %%
# The same programs on three engines
# ----------------------------------
# Each program is an ordinary Python function of ``x`` and a "math module"
# ``m``, so the very same source runs on the tape (``m`` holds our ``sin``,
# ``exp``, ``log``), on PyTorch (``m = torch``) and on JAX (``m = jax.numpy``).
# The programs are the site's starting examples, a ``while`` loop whose number
# of iterations depends on ``x``, a recursion whose depth depends on ``x``, and
# a function with a branch.
import types

import jax
import jax.numpy as jnp
import numpy as np
import torch

tape = types.SimpleNamespace(sin=sin, exp=exp, log=log)


def starting_branch(x, m):
    return x * x if x > 1 else x + 2


def doubling_loop(x, m):
    y = x
    for _ in range(3):
        y = y * 2
    return y


def double_until_ten(x, m):
    y = x
    while y < 10:  # iteration count depends on the value of x
        y = 2 * y
    return y


def recursion(x, m):  # x * (x - 1) * ... * exp(remainder below 1)
    if x < 1:
        return m.exp(x)
    return x * recursion(x - 1, m)


def piecewise(x, m):
    if x > 1:
        return x**3 / 3 - m.log(x)
    return m.sin(2 * x) + 1 / (2 - x)


def tape_grad(f, x):
    return grad(lambda v: f(v, tape))(x)


def torch_grad(f, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    f(t, torch).backward()
    return t.grad.item()


def jax_grad(f, x):  # float32, JAX's default
    return float(jax.grad(lambda v: f(v, jnp))(x))


e = math.exp
cases = [  # (program, x, closed-form derivative at x)
    (starting_branch, 2.0, 2 * 2.0),
    (starting_branch, 0.5, 1.0),
    (doubling_loop, 1.0, 2.0**3),
    (double_until_ten, 1.0, 2.0**4),  # 1 -> 2 -> 4 -> 8 -> 16
    (double_until_ten, 3.0, 2.0**2),  # 3 -> 6 -> 12
    (double_until_ten, 12.0, 1.0),  # loop body never runs
    (recursion, 0.5, e(0.5)),  # base case at once
    (recursion, 2.5, (2 * 2.5 - 1 + 2.5 * 1.5) * e(0.5)),  # d/dx x(x-1)e^(x-2)
    (piecewise, 2.0, 2.0**2 - 1 / 2.0),
    (piecewise, 0.5, 2 * math.cos(1.0) + 1 / (2 - 0.5) ** 2),
]
header = ["tape", "PyTorch", "JAX", "expected"]
print(f"{'program':<17}{'x':>5}  {'recorded ops':<20}" + "".join(f"{h:>11}" for h in header))
for f, x, expected in cases:
    recorded = [v.op for v in topological_order(f(Value(x), tape)) if v.parents]
    g_tape, g_torch, g_jax = tape_grad(f, x), torch_grad(f, x), jax_grad(f, x)
    print(f"{f.__name__:<17}{x:>5}  {' '.join(recorded) or '(none)':<20}"
          f"{g_tape:>11.6f}{g_torch:>11.6f}{g_jax:>11.6f}{expected:>11.6f}")
    np.testing.assert_allclose(g_tape, expected, rtol=1e-12)
    np.testing.assert_allclose(g_torch, expected, rtol=1e-12)
    np.testing.assert_allclose(g_jax, expected, rtol=1e-5)

# %%
# The "recorded ops" column lists the operations the tape wrote down (inputs
# and constants left out). It changes with ``x`` for every program with control
# flow, because each run records only what executed: ``mul`` or ``add`` for the
# starting branch, one ``mul`` per loop iteration, one ``sub``/``mul`` pair per
# recursive call. The three engines agree to float64 precision (tape, PyTorch)
# and to float32 precision (JAX's default dtype).

# %%
# Seeing the tape
# ---------------
# Run ``piecewise`` at ``x = 2`` (the ``x > 1`` branch) and at ``x = 0.5`` (the
# other branch) and list what was recorded, in topological order, with each
# node's value and its gradient after ``backward``. The ``if`` itself appears
# nowhere: it only decided which operations got recorded.


def listing(out):
    order = topological_order(out)
    name = {id(v): f"v{i}" for i, v in enumerate(order)}
    for v in order:
        call = f"{v.op}({', '.join(name[id(p)] for p, _ in v.parents)})" if v.parents else v.op
        print(f"  {name[id(v)]:>3} = {call:<16} value {v.data:9.5f}   grad {v.grad:9.5f}")
    return [v.op for v in order]


tapes = {}
for x0 in (2.0, 0.5):
    x = Value(x0)
    out = piecewise(x, tape)
    backward(out)
    print(f"piecewise at x = {x0}: d/dx = {x.grad:.6f}")
    tapes[x0] = (out, listing(out))

ops_hi, ops_lo = tapes[2.0][1], tapes[0.5][1]
assert ops_hi != ops_lo
assert "log" in ops_hi and "sin" not in ops_hi
assert "sin" in ops_lo and "log" not in ops_lo

# %%
# Drawing the two tapes
# ---------------------
# The same recordings as pictures: each box is a node, placed by its depth
# (longest path from an input or constant), and arrows run from parents to the
# nodes computed from them. Two inputs of one Python function give two different
# graphs, and each gradient is computed on its own graph only.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, (x0, (out, _)) in zip(axes, tapes.items()):
    order = topological_order(out)
    depth, pos, count = {}, {}, {}
    for v in order:
        depth[id(v)] = 1 + max((depth[id(p)] for p, _ in v.parents), default=-1)
        d = depth[id(v)]
        pos[id(v)] = (d, -count.get(d, 0))
        count[d] = count.get(d, 0) + 1
    for v in order:
        for p, _ in v.parents:
            ax.annotate("", xy=pos[id(v)], xytext=pos[id(p)],
                        arrowprops=dict(arrowstyle="->", color="0.4", shrinkA=14, shrinkB=14))
    for v in order:
        label = f"{v.op}\n{v.data:.3g}"
        color = "lightsteelblue" if v.op in ("input", "const") else "moccasin"
        ax.text(*pos[id(v)], label, ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round", fc=color, ec="0.3"))
    ax.set_xlim(-0.6, max(depth.values()) + 0.6)
    ax.set_ylim(-max(count.values()) + 0.4, 0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("depth on the tape (inputs left, output right)")
    branch = "x > 1: x**3/3 - log(x)" if x0 > 1 else "else: sin(2x) + 1/(2-x)"
    ax.set_title(f"x = {x0}   ({branch})", fontsize=9)
fig.suptitle("Two tapes recorded by one Python function")
fig.tight_layout()

# %%
# Leaving the tape: the ``.item()`` caveat
# ----------------------------------------
# ``x.data`` is a plain float. Anything computed from it is invisible to the
# tape: it enters the next operation as a constant. For ``y = x * x.data`` the
# true derivative is ``2 x``, but the tape sees ``x`` times a constant and
# returns only half of it. Nothing warns you.
x = Value(2.0)
y = x * x.data
backward(y)
print(f"tape:    d(x * x.data)/dx at 2 = {x.grad}   (true derivative 2x = {2 * 2.0})")
listing(y)
assert abs(x.grad - 2.0) < 1e-12

# %%
# PyTorch: ``.item()`` does exactly the same thing, and so does ``.detach()``.
# The tensor's value leaves the autograd graph and comes back as a constant.
t = torch.tensor(2.0, requires_grad=True)
(t * t.item()).backward()
print(f"PyTorch: d(x * x.item())/dx at 2 = {t.grad.item()}   (true derivative {2 * 2.0})")
assert abs(t.grad.item() - 2.0) < 1e-6

# %%
# JAX: inside ``jax.grad`` (without ``jit``), ``x.item()`` also returns a plain
# Python float in jax 0.10.2 and the gradient silently loses that path, just
# like the tape. ``float(x)`` on the other hand refuses with a
# ``ConcretizationTypeError``; ``jax.lax.stop_gradient(x)`` is the explicit,
# traceable way to say "treat this as a constant".
g_item = jax.grad(lambda x: x * x.item())(2.0)
g_stop = jax.grad(lambda x: x * jax.lax.stop_gradient(x))(2.0)
print(f"JAX:     x * x.item()            -> {float(g_item)}   (true derivative {2 * 2.0})")
print(f"JAX:     x * stop_gradient(x)    -> {float(g_stop)}")
assert abs(float(g_item) - 2.0) < 1e-6 and abs(float(g_stop) - 2.0) < 1e-6
try:
    jax.grad(lambda x: x * float(x))(2.0)
except Exception as err:
    print(f"JAX:     x * float(x)            -> {type(err).__name__}: {str(err).splitlines()[0]}")
    assert isinstance(err, jax.errors.ConcretizationTypeError)
else:
    raise AssertionError("the code above was expected to raise")
