"""
=====================================================
A define-by-run tape, checked against PyTorch and JAX
=====================================================

PyTorch's autograd, and ``jax.grad`` outside ``jit``, work *define-by-run*: each operation is
written down while your Python runs on real numbers, and the backward pass walks that record
in reverse. Python's ``if``, ``while`` and recursion are never recorded, only the operations
that executed. You will build such a tape in plain Python, see it agree with PyTorch and JAX
on both sides of every branch, and list the two tapes one function records for two inputs.
The prose version is in :doc:`/guide/why_it_works`; the graphs PyTorch and JAX record are
shown in :doc:`/auto_examples/control_flow/plot_recorded_graph`.
"""


# %%
# The tape
# --------
# ``Value`` holds a float, the operation that produced it and its parents, each paired with
# the *local* derivative of the result with respect to that parent, evaluated now. (PyTorch
# instead saves the tensors the derivative needs and evaluates it during backward, see
# :doc:`/guide/why_it_works`; the result is the same.) ``backward`` orders the recorded nodes
# so that every node comes after its parents, then walks them in reverse, applying the chain
# rule. Comparisons return a plain Python ``bool``: that is why ``if`` and ``while`` work.
class Value:
    """A scalar that remembers how it was computed: one node of the tape."""

    def __init__(self, data, parents=(), op="input"):
        self.data, self.op = float(data), op
        self.parents = parents  # ((parent Value, local derivative), ...)
        self.grad = 0.0  # d(output)/d(self), filled in by backward()

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
        return Value(self.data**k, ((self, k * self.data ** (k - 1)),), f"pow{k}")

    def __rsub__(self, other):  # 2 - x
        return lift(other) - self

    def __rtruediv__(self, other):  # 1 / x
        return lift(other) / self

    __radd__, __rmul__ = __add__, __mul__

    # Comparisons read the numbers and return a plain bool; nothing is recorded.
    def __lt__(self, other):
        return self.data < lift(other).data

    def __gt__(self, other):
        return self.data > lift(other).data


def lift(x):
    """Wrap a plain number as a constant leaf."""
    return x if isinstance(x, Value) else Value(x, op="const")


def topological_order(out):
    """All nodes ``out`` depends on, each listed after its parents."""
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent, _ in node.parents:
                visit(parent)
            order.append(node)

    visit(out)
    return order


def backward(out):
    """Reverse mode: push d(out)/d(node) from ``out`` back to every node."""
    order = topological_order(out)
    out.grad = 1.0
    for node in reversed(order):  # node.grad is complete before it is passed on
        for parent, local_derivative in node.parents:
            parent.grad += local_derivative * node.grad  # chain rule, summed over all uses


# %%
# The same programs on three engines
# ----------------------------------
# The programs use only arithmetic and comparisons, so the same source runs on the tape, on
# PyTorch (float64 here) and on JAX (float32, its default). The column "recorded ops" lists
# what the tape wrote down: it changes with ``x`` for every program, because each run records
# only what executed: one ``mul`` per loop iteration, one ``sub``/``mul`` pair per recursive
# call, the operations of one branch.
import jax
import numpy as np
import torch


def double_until_ten(x):
    y = x
    while y < 10:  # the number of iterations depends on the value of x
        y = 2 * y
    return y


def recursion(x):  # x * (x - 1) * ... * (remainder below 1) ** 2
    if x < 1:
        return x * x
    return x * recursion(x - 1)


def piecewise(x):
    if x > 1:
        return x**3 / 3 - 1 / x
    return 2 * x + 1 / (2 - x)


def tape_grad(program, x0):
    x = Value(x0)
    out = program(x)
    backward(out)
    recorded = [node.op for node in topological_order(out) if node.parents]
    return x.grad, recorded


def torch_grad(program, x0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    program(x).backward()
    return x.grad.item()


cases = [  # (program, x, closed-form derivative at x)
    (double_until_ten, 1.0, 2.0**4),  # 1 -> 2 -> 4 -> 8 -> 16
    (double_until_ten, 3.0, 2.0**2),  # 3 -> 6 -> 12
    (double_until_ten, 12.0, 1.0),  # the loop body never runs
    (recursion, 0.5, 2 * 0.5),  # base case at once
    (recursion, 2.5, 4 * 0.5**2 + 2 * 2.5 * 1.5 * 0.5),  # d/dx x (x-1) (x-2)**2
    (piecewise, 2.0, 2.0**2 + 1 / 2.0**2),
    (piecewise, 0.5, 2 + 1 / (2 - 0.5) ** 2),
]
print(f"{'program':<17}{'x':>5}  {'recorded ops':<22}{'tape':>10}{'PyTorch':>10}{'JAX':>10}")
for program, x0, expected in cases:
    grad_tape, recorded = tape_grad(program, x0)
    grad_torch, grad_jax = torch_grad(program, x0), jax.grad(program)(x0)
    ops = " ".join(recorded) or "(none)"
    name = program.__name__
    print(f"{name:<17}{x0:>5}  {ops:<22}{grad_tape:>10.6f}{grad_torch:>10.6f}{grad_jax:>10.6f}")
    np.testing.assert_allclose(grad_tape, expected, rtol=1e-12, err_msg=f"tape, {name}({x0})")
    np.testing.assert_allclose(grad_torch, expected, rtol=1e-12, err_msg=f"torch, {name}({x0})")
    np.testing.assert_allclose(grad_jax, expected, rtol=1e-5, err_msg=f"JAX, {name}({x0})")

# %%
# Two tapes from one function
# ---------------------------
# ``piecewise`` at ``x = 2`` (the ``x > 1`` branch) and at ``x = 0.5`` (the other branch),
# listed each node after its parents, with its value and its gradient after ``backward``.
# The ``if`` appears nowhere: it only decided which operations got recorded, and each
# gradient is computed on its own tape.
recorded_ops = {}
for x0 in (2.0, 0.5):
    x = Value(x0)
    out = piecewise(x)
    backward(out)
    order = topological_order(out)
    names = {id(node): f"v{index}" for index, node in enumerate(order)}
    print(f"piecewise at x = {x0}: d/dx = {x.grad:.6f}")
    for node in order:
        arguments = ", ".join(names[id(parent)] for parent, _ in node.parents)
        call = f"{node.op}({arguments})" if node.parents else node.op
        print(f"  {names[id(node)]:>3} = {call:<14} value {node.data:9.5f}   grad {node.grad:9.5f}")
    recorded_ops[x0] = {node.op for node in order}
for x0, present, absent in [(2.0, "pow3", "add"), (0.5, "add", "pow3")]:
    assert present in recorded_ops[x0], f"x = {x0}: {present} not recorded"
    assert absent not in recorded_ops[x0], f"x = {x0}: {absent} recorded but not executed"
