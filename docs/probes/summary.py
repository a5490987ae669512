"""Probes for the summary table: Python control flow x differentiation modes.

Each row is one construct, written as a small scalar function ``f(x)`` (once for PyTorch
tensors and once for JAX arrays; most rows use the very same Python function for both)
together with its closed-form derivative ``df(x)`` in plain Python. Each column runs ``f``
under one mode and returns ``(gradient, closed form)``; the vmap columns compute
per-example gradients (``vmap`` of ``grad``) over a batch that takes every branch. If a mode
rejects the construct, the probe simply raises and the table shows the exception class.
"""

import math

import jax
import jax.numpy as jnp
import torch
import torch._dynamo
from torch._dynamo.utils import counters

X = 1.5  # the point for the single-input columns
XS = [-1.0, 1.5]  # the batch for the vmap columns: x > 0 and x < 0 take different branches
SEED = 2  # seeds the random branch in both frameworks


# The constructs. A leading t_ or j_ marks a function written for one framework only.
def if_else(x):
    if x > 0:
        return x**2
    return -x


def if_item(x):  # the same branch, decided on a Python float
    if x.item() > 0:
        return x**2
    return -x


def d_branch(x):
    return 2 * x if x > 0 else -1.0


def fixed_for(x):  # x ** 4
    y = x
    for _ in range(3):
        y = y * x
    return y


def d_fixed_for(x):
    return 4 * x**3


def doubling_while(x):  # doubles until |y| >= 10: the trip count depends on x
    y = x
    while abs(y) < 10:
        y = 2 * y
    return y


def d_doubling_while(x):  # y = x * 2**k
    return 2.0 ** max(math.ceil(math.log2(10 / abs(x))), 0)


def power_with_break(x):  # x ** n for the first n with x ** n > 3 (at most n = 6)
    y = x
    for _ in range(5):
        if y > 3:
            break
        y = y * x
    return y


def d_power_with_break(x):
    n = next((n for n in range(1, 6) if x**n > 3), 6)
    return n * x ** (n - 1)


def power(x, n):  # x ** n by recursion; the depth n is a Python int
    return x if n == 1 else x * power(x, n - 1)


def recursion(x):
    return power(x, 3)


def d_recursion(x):
    return 3 * x**2


def scaled_square(c):  # returns a closure over c
    return lambda t: c * t * t


def calls(x):  # 3 x**2 + 3 (x - 1)**2
    h = scaled_square(3.0)
    return h(x) + h(x - 1)


def d_calls(x):
    return 6 * x + 6 * (x - 1)


def t_random_branch(x):  # heads with probability sigmoid(x), decided by a seeded draw
    u = torch.rand((), generator=torch.Generator().manual_seed(SEED))
    return 12 - x**2 if u < torch.sigmoid(x) else 8 + x


def j_random_branch(x):
    u = jax.random.uniform(jax.random.key(SEED))
    return 12 - x**2 if u < jax.nn.sigmoid(x) else 8 + x


def d_sampled_path(draw):  # derivative of the branch that the draw picks at x
    def df(x):
        return -2 * x if draw() < 1 / (1 + math.exp(-x)) else 1.0

    return df


def t_where(x):
    return torch.where(x > 0, x**2, -x)


def j_where(x):
    return jnp.where(x > 0, x**2, -x)


def t_cond(x):
    return torch.cond(x > 0, lambda x: x**2, lambda x: -x, (x,))


def j_cond(x):
    return jax.lax.cond(x > 0, lambda x: x**2, lambda x: -x, x)


# torch.while_loop is torch's only public loop op; lax.fori_loop with Python-int bounds.
def t_loop_carried(x):  # squares the carried state 3 times: x ** 8
    count, y = torch.while_loop(
        lambda i, y: i < 3, lambda i, y: (i + 1, y * y), (torch.tensor(0), x)
    )
    return y


def j_loop_carried(x):
    return jax.lax.fori_loop(0, 3, lambda i, y: y * y, x)


def d_eighth_power(x):
    return 8 * x**7


def t_loop_reads_x(x):  # multiplies by x 3 times: x ** 3, x read from outside the carry
    count, y = torch.while_loop(
        lambda i, y: i < 3, lambda i, y: (i + 1, y * x), (torch.tensor(0), torch.ones_like(x))
    )
    return y


def j_loop_reads_x(x):
    return jax.lax.fori_loop(0, 3, lambda i, y: y * x, 1.0)


def d_cube(x):
    return 3 * x**2


d_random_torch = d_sampled_path(
    lambda: torch.rand((), generator=torch.Generator().manual_seed(SEED)).item()
)
d_random_jax = d_sampled_path(lambda: float(jax.random.uniform(jax.random.key(SEED))))


def same(f, df):  # the same Python function runs on tensors and on JAX arrays
    return (f, df), (f, df)


COND = "structured conditional (lax.cond / torch.cond)"
LOOP_CARRIED = "structured loop, its state carried (while_loop / fori_loop)"
LOOP_READS_X = "structured loop reading x, not carrying it (while_loop / fori_loop)"
# row: ((PyTorch function, derivative), (JAX function, derivative))
CONSTRUCTS = {
    "if/else on a tensor's value": same(if_else, d_branch),
    "if via .item()": same(if_item, d_branch),
    "fixed for loop": same(fixed_for, d_fixed_for),
    "data-dependent while": same(doubling_while, d_doubling_while),
    "break / early return": same(power_with_break, d_power_with_break),
    "recursion": same(recursion, d_recursion),
    "function calls and closures": same(calls, d_calls),
    "random branch": ((t_random_branch, d_random_torch), (j_random_branch, d_random_jax)),
    "elementwise where": ((t_where, d_branch), (j_where, d_branch)),
    COND: ((t_cond, d_branch), (j_cond, d_branch)),
    LOOP_CARRIED: ((t_loop_carried, d_eighth_power), (j_loop_carried, d_eighth_power)),
    LOOP_READS_X: ((t_loop_reads_x, d_cube), (j_loop_reads_x, d_cube)),
}


# The modes: each takes (f, df) and returns (gradient, closed form).
def torch_eager(f, df):
    x = torch.tensor(X, requires_grad=True)
    f(x).backward()
    return x.grad, df(X)


def torch_func_grad(f, df):
    return torch.func.grad(f)(torch.tensor(X)), df(X)


def torch_func_vmap(f, df):
    return torch.func.vmap(torch.func.grad(f))(torch.tensor(XS)), [df(x) for x in XS]


def torch_compile(f, df):
    torch._dynamo.reset()  # forget graphs compiled by other probes
    counters.clear()
    x = torch.tensor(X, requires_grad=True)
    torch.compile(f, backend="aot_eager")(x).backward()
    failed = counters["aot_autograd"]["not_ok"]  # graphs the backend could not compile
    note = f"ran eagerly: the aot_eager backend failed on {failed} graph(s)" if failed else ""
    return x.grad, df(X), note


def jax_grad(f, df):
    return jax.grad(f)(X), df(X)


def jax_jit_grad(f, df):
    return jax.jit(jax.grad(f))(X), df(X)


def jax_vmap(f, df):
    return jax.vmap(jax.grad(f))(jnp.array(XS)), [df(x) for x in XS]


MODES = {  # column: (mode, 0 for PyTorch or 1 for JAX)
    "PyTorch eager autograd": (torch_eager, 0),
    "torch.func.grad": (torch_func_grad, 0),
    "torch.func.vmap": (torch_func_vmap, 0),
    "torch.compile": (torch_compile, 0),
    "jax.grad": (jax_grad, 1),
    "jax.jit(jax.grad)": (jax_jit_grad, 1),
    "jax.vmap": (jax_vmap, 1),
}

ROWS = list(CONSTRUCTS)
COLUMNS = list(MODES)

# Notes shown under the table, on one cell of a row.
EAGER = COLUMNS[0]
WHILE_LOOP_DOCS = " ".join(torch.while_loop.__doc__.split())  # its docstring, one line
PROTOTYPE = "doesn't support training currently"
NOTES = {
    ("random branch", EAGER): "exact for the sampled path; a biased estimate of the gradient of "
    "the expectation - see the random-branches example",
    ("random branch", "torch.func.vmap"): "the random draw raises, before the if is reached "
    "(vmap's default randomness='error')",
    ("elementwise where", EAGER): "both branches are differentiated: an infinite derivative in "
    "the branch not selected turns the gradient NaN - see the example",
    (LOOP_CARRIED, EAGER): "PyTorch: torch.while_loop, whose docstring says it "
    + (f"'{PROTOTYPE}'" if PROTOTYPE in WHILE_LOOP_DOCS else "no longer lacks training support")
    + f"; torch.scan {'exists' if hasattr(torch, 'scan') else 'is not public'}",
    (LOOP_READS_X, EAGER): "x is read by the loop body: only the last iteration's share, "
    "x ** 2, reaches it (carrying x does not help: see the table of PyTorch's structured "
    "control flow)",
    (LOOP_CARRIED, "jax.grad"): "JAX: lax.fori_loop with Python-int bounds; lax.while_loop raises "
    "in reverse mode - see the JAX loops example",
}


def make_probe(row, column):
    mode, framework = MODES[column]
    f, df = CONSTRUCTS[row][framework]

    def probe():
        try:
            got, exact, *mode_note = mode(f, df)
        except Exception as error:  # the table shows its class; the note adds our words
            error.probe_note = NOTES.get((row, column), "")
            raise
        return got, exact, "; ".join(filter(None, [*mode_note, NOTES.get((row, column), "")]))

    return probe


PROBES = {(row, column): make_probe(row, column) for row in ROWS for column in COLUMNS}

ROW_LINKS = {
    "if/else on a tensor's value": "/auto_examples/control_flow/plot_conditionals",
    "if via .item()": "/auto_examples/caveats/plot_leaving_the_graph",
    "fixed for loop": "/auto_examples/control_flow/plot_loops",
    "data-dependent while": "/auto_examples/control_flow/plot_loops",
    "break / early return": "/auto_examples/control_flow/plot_loops",
    "recursion": "/auto_examples/control_flow/plot_recursion",
    "function calls and closures": "/auto_examples/control_flow/plot_function_calls",
    "random branch": "/auto_examples/caveats/plot_random_branches",
    "elementwise where": "/auto_examples/caveats/plot_nan_from_untaken_branch",
    COND: "/auto_examples/compilers/plot_torch_compile_branches",
    LOOP_CARRIED: "/auto_examples/compilers/plot_jax_loops",
    LOOP_READS_X: "/auto_examples/compilers/plot_jax_loops",
}

# Each cell as the page publishes it, keyed by row and column: the summary's prose relies
# on these, so a release that changes any one fails the build and names it.
EXPECTED = {
    ("if/else on a tensor's value", EAGER): "ok",
    ("if/else on a tensor's value", "torch.func.grad"): "ok",
    ("if/else on a tensor's value", "torch.func.vmap"): "RuntimeError",
    ("if/else on a tensor's value", "torch.compile"): "ok",
    ("if/else on a tensor's value", "jax.grad"): "ok",
    ("if/else on a tensor's value", "jax.jit(jax.grad)"): "TracerBoolConversionError",
    ("if/else on a tensor's value", "jax.vmap"): "TracerBoolConversionError",
    ("if via .item()", EAGER): "ok",
    ("if via .item()", "torch.func.grad"): "ok",
    ("if via .item()", "torch.func.vmap"): "RuntimeError",
    ("if via .item()", "torch.compile"): "ok",
    ("if via .item()", "jax.grad"): "ok",
    ("if via .item()", "jax.jit(jax.grad)"): "ConcretizationTypeError",
    ("if via .item()", "jax.vmap"): "ConcretizationTypeError",
    ("fixed for loop", EAGER): "ok",
    ("fixed for loop", "torch.func.grad"): "ok",
    ("fixed for loop", "torch.func.vmap"): "ok",
    ("fixed for loop", "torch.compile"): "ok",
    ("fixed for loop", "jax.grad"): "ok",
    ("fixed for loop", "jax.jit(jax.grad)"): "ok",
    ("fixed for loop", "jax.vmap"): "ok",
    ("data-dependent while", EAGER): "ok",
    ("data-dependent while", "torch.func.grad"): "ok",
    ("data-dependent while", "torch.func.vmap"): "RuntimeError",
    ("data-dependent while", "torch.compile"): "ok",
    ("data-dependent while", "jax.grad"): "ok",
    ("data-dependent while", "jax.jit(jax.grad)"): "TracerBoolConversionError",
    ("data-dependent while", "jax.vmap"): "TracerBoolConversionError",
    ("break / early return", EAGER): "ok",
    ("break / early return", "torch.func.grad"): "ok",
    ("break / early return", "torch.func.vmap"): "RuntimeError",
    ("break / early return", "torch.compile"): "ok",
    ("break / early return", "jax.grad"): "ok",
    ("break / early return", "jax.jit(jax.grad)"): "TracerBoolConversionError",
    ("break / early return", "jax.vmap"): "TracerBoolConversionError",
    ("recursion", EAGER): "ok",
    ("recursion", "torch.func.grad"): "ok",
    ("recursion", "torch.func.vmap"): "ok",
    ("recursion", "torch.compile"): "ok",
    ("recursion", "jax.grad"): "ok",
    ("recursion", "jax.jit(jax.grad)"): "ok",
    ("recursion", "jax.vmap"): "ok",
    ("function calls and closures", EAGER): "ok",
    ("function calls and closures", "torch.func.grad"): "ok",
    ("function calls and closures", "torch.func.vmap"): "ok",
    ("function calls and closures", "torch.compile"): "ok",
    ("function calls and closures", "jax.grad"): "ok",
    ("function calls and closures", "jax.jit(jax.grad)"): "ok",
    ("function calls and closures", "jax.vmap"): "ok",
    ("random branch", EAGER): "ok",
    ("random branch", "torch.func.grad"): "ok",
    ("random branch", "torch.func.vmap"): "RuntimeError",
    ("random branch", "torch.compile"): "ok",
    ("random branch", "jax.grad"): "ok",
    ("random branch", "jax.jit(jax.grad)"): "TracerBoolConversionError",
    ("random branch", "jax.vmap"): "TracerBoolConversionError",
    ("elementwise where", EAGER): "ok",
    ("elementwise where", "torch.func.grad"): "ok",
    ("elementwise where", "torch.func.vmap"): "ok",
    ("elementwise where", "torch.compile"): "ok",
    ("elementwise where", "jax.grad"): "ok",
    ("elementwise where", "jax.jit(jax.grad)"): "ok",
    ("elementwise where", "jax.vmap"): "ok",
    (COND, EAGER): "ok",
    (COND, "torch.func.grad"): "AssertionError",
    (COND, "torch.func.vmap"): "AssertionError",
    (COND, "torch.compile"): "ok",
    (COND, "jax.grad"): "ok",
    (COND, "jax.jit(jax.grad)"): "ok",
    (COND, "jax.vmap"): "ok",
    (LOOP_CARRIED, EAGER): "ok",
    (LOOP_CARRIED, "torch.func.grad"): "AssertionError",
    (LOOP_CARRIED, "torch.func.vmap"): "AssertionError",
    (LOOP_CARRIED, "torch.compile"): ("ran eagerly", "ok"),
    (LOOP_CARRIED, "jax.grad"): "ok",
    (LOOP_CARRIED, "jax.jit(jax.grad)"): "ok",
    (LOOP_CARRIED, "jax.vmap"): "ok",
    (LOOP_READS_X, EAGER): ("wrong", 2.25),
    (LOOP_READS_X, "torch.func.grad"): "AssertionError",
    (LOOP_READS_X, "torch.func.vmap"): "AssertionError",
    (LOOP_READS_X, "torch.compile"): ("ran eagerly", ("wrong", 2.25)),
    (LOOP_READS_X, "jax.grad"): "ok",
    (LOOP_READS_X, "jax.jit(jax.grad)"): "ok",
    (LOOP_READS_X, "jax.vmap"): "ok",
}
