"""Probes for the live table "PyTorch's structured control flow x differentiation and
compilers".

Each row is one small scalar function ``f(x)`` written with one PyTorch construct, together
with its closed-form value, first and second derivative in plain Python. Each column runs the
function one way and returns ``(got, closed form)``: a gradient at ``X`` (eager autograd,
``torch.func.grad``, ``torch.compile``), the second derivative at ``X`` (double backward:
``create_graph=True``, then a second ``torch.autograd.grad``), or the values that the module
exported by ``torch.export.export`` returns at ``XS``, whose points take both branches. If a
mode rejects the construct, the probe simply raises and the table shows the exception class.

There is no public ``torch.scan`` (docs/guide/compilers.md checks ``hasattr(torch, "scan")``
on the installed release); its row uses the prototype ``torch._higher_order_ops.scan`` and
says so in its label.
"""

import warnings

import torch
import torch._dynamo
from torch._dynamo.utils import counters
from torch._higher_order_ops import scan

X = 1.5  # the point for the gradient columns
XS = [1.5, -1.0]  # the points at which the exported module is evaluated: both branches


# The constructs: each computes x ** 2 for x > 0 and -x otherwise, x ** 8, or x ** 3.
def python_if(x):
    if x > 0:
        return x**2
    return -x


def cond_op(x):
    return torch.cond(x > 0, lambda x: x**2, lambda x: -x, (x,))


def while_squares_state(x):  # squares the carried state 3 times: x ** 8
    count, y = torch.while_loop(
        lambda i, y: i < 3, lambda i, y: (i + 1, y * y), (torch.tensor(0), x)
    )
    return y


def while_x_carried(x):  # multiplies by x 3 times, x carried through the loop: x ** 3
    count, y, carried_x = torch.while_loop(
        lambda i, y, x: i < 3,
        lambda i, y, x: (i + 1, y * x, x.clone()),  # clone: a carry may not alias an input
        (torch.tensor(0), torch.ones_like(x), x),
    )
    return y


def while_x_read(x):  # multiplies by x 3 times, x read from outside the carry: x ** 3
    count, y = torch.while_loop(
        lambda i, y: i < 3, lambda i, y: (i + 1, y * x), (torch.tensor(0), torch.ones_like(x))
    )
    return y


def scan_over_copies(x):  # multiplies the carry by each of 3 copies of x: x ** 3
    def step(carry, element):
        carry = carry * element
        return carry, carry.clone()

    final_carry, partial_products = scan(step, torch.ones_like(x), x.expand(3))
    return final_carry


# Closed forms: (value, first derivative, second derivative) at a float x.
def branch(x):
    return (x**2, 2 * x, 2.0) if x > 0 else (-x, -1.0, 0.0)


def eighth_power(x):
    return x**8, 8 * x**7, 56 * x**6


def cube(x):
    return x**3, 3 * x**2, 6 * x


IF_ROW = "Python if (reference)"
COND_ROW = "torch.cond"
WHILE_STATE_ROW = "torch.while_loop, state squared (x ** 8)"
WHILE_CARRIED_ROW = "torch.while_loop, x carried (x ** 3)"
WHILE_READ_ROW = "torch.while_loop, x read by the body (x ** 3)"
SCAN_ROW = "scan, private torch._higher_order_ops.scan (x ** 3)"
CONSTRUCTS = {
    IF_ROW: (python_if, branch),
    COND_ROW: (cond_op, branch),
    WHILE_STATE_ROW: (while_squares_state, eighth_power),
    WHILE_CARRIED_ROW: (while_x_carried, cube),
    WHILE_READ_ROW: (while_x_read, cube),
    SCAN_ROW: (scan_over_copies, cube),
}


# The modes: each takes (f, closed_form) and returns (got, closed form[, note]).
def eager_autograd(f, closed_form):
    x = torch.tensor(X, requires_grad=True)
    f(x).backward()
    return x.grad, closed_form(X)[1]


def func_grad(f, closed_form):
    return torch.func.grad(f)(torch.tensor(X)), closed_form(X)[1]


def double_backward(f, closed_form):
    x = torch.tensor(X, requires_grad=True)
    (first,) = torch.autograd.grad(f(x), x, create_graph=True)
    (second,) = torch.autograd.grad(first, x)
    return second, closed_form(X)[2]


def compiled_gradient(f, closed_form):
    torch._dynamo.reset()  # forget graphs compiled by other probes
    counters.clear()
    x = torch.tensor(X, requires_grad=True)
    with warnings.catch_warnings():  # a failed backend attempt warns; the note below says so
        warnings.simplefilter("ignore", UserWarning)
        torch.compile(f, backend="aot_eager")(x).backward()
    failed = counters["aot_autograd"]["not_ok"]  # graphs the backend could not compile
    note = f"ran eagerly: the aot_eager backend failed on {failed} graph(s)" if failed else ""
    return x.grad, closed_form(X)[1], note


class Wrapped(torch.nn.Module):  # torch.export takes a module
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


def exported_values(f, closed_form):
    torch._dynamo.reset()
    exported = torch.export.export(Wrapped(f), (torch.tensor(X),)).module()
    got = [exported(torch.tensor(point)).item() for point in XS]
    return got, [closed_form(point)[0] for point in XS]


MODES = {
    "eager autograd": eager_autograd,
    "torch.func.grad": func_grad,
    "double backward": double_backward,
    "torch.compile (gradient)": compiled_gradient,
    "torch.export (values)": exported_values,
}

ROWS = list(CONSTRUCTS)
COLUMNS = list(MODES)


def make_probe(row, column):
    return lambda: MODES[column](*CONSTRUCTS[row])


PROBES = {(row, column): make_probe(row, column) for row in ROWS for column in COLUMNS}

THIS_PAGE = "/auto_examples/compilers/plot_torch_export_and_structured_control_flow"
ROW_LINKS = {
    IF_ROW: "/auto_examples/compilers/plot_torch_compile_branches",
    COND_ROW: THIS_PAGE,
}

# Each cell as the page publishes it: a release that changes one fails the build, naming it.
EXPECTED = {
    (IF_ROW, "eager autograd"): "ok",
    (IF_ROW, "torch.func.grad"): "ok",
    (IF_ROW, "double backward"): "ok",
    (IF_ROW, "torch.compile (gradient)"): "ok",
    (IF_ROW, "torch.export (values)"): "GuardOnDataDependentSymNode",
    (COND_ROW, "eager autograd"): "ok",
    (COND_ROW, "torch.func.grad"): "AssertionError",
    (COND_ROW, "double backward"): "RuntimeError",
    (COND_ROW, "torch.compile (gradient)"): "ok",
    (COND_ROW, "torch.export (values)"): "ok",
    (WHILE_STATE_ROW, "eager autograd"): "ok",
    (WHILE_STATE_ROW, "torch.func.grad"): "AssertionError",
    (WHILE_STATE_ROW, "double backward"): ("wrong", 91.125),
    (WHILE_STATE_ROW, "torch.compile (gradient)"): ("ran eagerly", "ok"),
    (WHILE_STATE_ROW, "torch.export (values)"): "ok",
    (WHILE_CARRIED_ROW, "eager autograd"): ("wrong", 2.25),
    (WHILE_CARRIED_ROW, "torch.func.grad"): "AssertionError",
    (WHILE_CARRIED_ROW, "double backward"): "zero",
    (WHILE_CARRIED_ROW, "torch.compile (gradient)"): ("ran eagerly", ("wrong", 2.25)),
    (WHILE_CARRIED_ROW, "torch.export (values)"): "ok",
    (WHILE_READ_ROW, "eager autograd"): ("wrong", 2.25),
    (WHILE_READ_ROW, "torch.func.grad"): "AssertionError",
    (WHILE_READ_ROW, "double backward"): "zero",
    (WHILE_READ_ROW, "torch.compile (gradient)"): ("ran eagerly", ("wrong", 2.25)),
    (WHILE_READ_ROW, "torch.export (values)"): "ok",
    (SCAN_ROW, "eager autograd"): "ok",
    (SCAN_ROW, "torch.func.grad"): "UncapturedHigherOrderOpError",
    (SCAN_ROW, "double backward"): ("wrong", 4.5),
    (SCAN_ROW, "torch.compile (gradient)"): "ok",
    (SCAN_ROW, "torch.export (values)"): "ok",
}
