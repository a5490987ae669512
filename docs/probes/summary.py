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


def t_loop(x):  # x ** 3 with a counter; torch.while_loop is torch's only public loop op
    count, y = torch.while_loop(
        lambda i, y: i < 3, lambda i, y: (i + 1, y * x), (torch.tensor(0), torch.ones_like(x))
    )
    return y


def j_loop(x):  # x ** 3; the bounds are Python ints
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
LOOPS = "structured loops (fori_loop / scan / while_loop)"
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
    LOOPS: ((t_loop, d_cube), (j_loop, d_cube)),
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
    x = torch.tensor(X, requires_grad=True)
    torch.compile(f, backend="aot_eager")(x).backward()
    return x.grad, df(X)


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

# Notes shown under the table: one per row at most, on one cell.
EAGER = COLUMNS[0]
NOTES = {
    ("random branch", EAGER): "exact for the sampled path; a biased estimate of the gradient of "
    "the expectation - see the random-branches example",
    ("elementwise where", EAGER): "both branches are differentiated: an infinite derivative in "
    "the branch not selected turns the gradient NaN - see the example",
    (LOOPS, EAGER): "PyTorch: torch.while_loop, a prototype that 'doesn't support training "
    "currently' (its docstring); torch has no public fori_loop or scan",
    (LOOPS, "jax.grad"): "JAX: lax.fori_loop with Python-int bounds; lax.while_loop raises in "
    "reverse mode - see the JAX loops example",
}


def make_probe(row, column):
    mode, framework = MODES[column]
    f, df = CONSTRUCTS[row][framework]
    return lambda: (*mode(f, df), NOTES.get((row, column), ""))


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
    LOOPS: "/auto_examples/compilers/plot_jax_loops",
}

# What the page's prose says about cells: the build fails if a probe disagrees.
PYTHON_ROWS = ROWS[:8]  # the rows written with Python control flow
UNROLLED = ["fixed for loop", "recursion", "function calls and closures"]
DECISIONS = ROWS[:2] + ["data-dependent while", "break / early return"]  # on the input's value
TRACING = ["jax.jit(jax.grad)", "jax.vmap", "torch.func.vmap"]
EAGER_MODES = [EAGER, "torch.func.grad", "torch.compile", "jax.grad"]
JAX_COLUMNS = ["jax.grad", "jax.jit(jax.grad)", "jax.vmap"]
CLAIMS = {
    **{(row, column): "ok" for row in PYTHON_ROWS for column in EAGER_MODES},
    **{(row, column): "ok" for row in UNROLLED for column in TRACING},
    **{(row, column): "error" for row in DECISIONS for column in TRACING[:2]},
    **{(row, "torch.func.vmap"): "RuntimeError" for row in DECISIONS},
    **{(row, column): "ok" for row in ["elementwise where", COND, LOOPS] for column in JAX_COLUMNS},
    **{
        (row, column): "ok" for row in ["fixed for loop", "elementwise where"] for column in COLUMNS
    },
    (ROWS[0], "jax.jit(jax.grad)"): "TracerBoolConversionError",
    (ROWS[1], "jax.jit(jax.grad)"): "ConcretizationTypeError",
    (COND, EAGER): "ok",
    (COND, "torch.compile"): "ok",
    (COND, "torch.func.grad"): "AssertionError",
    (COND, "torch.func.vmap"): "AssertionError",
    (LOOPS, EAGER): "wrong",
    (LOOPS, "torch.compile"): "wrong",
}
