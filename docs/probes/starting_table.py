"""Probes for the audited starting table.

The project began from a four-row table of what autodiff does with Python control flow. Each
row's claim is tested on the case that makes it precise, with the framework's plain gradient
(``torch.autograd.grad``, ``jax.grad``). A probe returns ``(got, expected, note)``; the note
carries the numbers behind the verdict.
"""

import math

import jax
import torch

X = 1.5


def torch_grad(f, x):
    x = torch.tensor(x, requires_grad=True)
    return torch.autograd.grad(f(x), x)[0].item()


def jax_grad(f, x):
    return float(jax.grad(f)(x))


GRADS = {"PyTorch (live)": torch_grad, "JAX (live)": jax_grad}


# if/else: the gradient is the derivative of the branch taken; the jump at x = 1 is invisible.
def step_if(x):
    if x > 1:
        return x**2
    return x + 1


def if_else(grad):
    below, above = grad(step_if, 1 - 1e-3), grad(step_if, 1 + 1e-3)
    jump = step_if(1 + 1e-3) - step_if(1.0)  # on Python floats
    note = f"gradients {below:g} just below x = 1 and {above:g} just above; f jumps by {jump:.3g}"
    return grad(step_if, X), 2 * X, note


# for/while: every step that ran contributes a factor; the number of steps gets no gradient.
def doubling_while(x):  # doubles until |y| >= 10
    y = x
    while abs(y) < 10:
        y = 2 * y
    return y


def for_while(grad):
    steps, y = 0, X
    while abs(y) < 10:
        steps, y = steps + 1, 2 * y
    return grad(doubling_while, X), 2.0**steps, f"{steps} doublings ran: gradient 2**{steps}"


# function calls: autodiff sees operations, not functions; a helper computing on a Python
# number (math.sin of x.item()) is a constant to it.
def sin_of_item(t):
    return math.sin(t.item())


def uses_helper(x):  # x * sin(x)
    return x * sin_of_item(x)


def function_calls(grad):
    note = "the helper's math.sin(x.item()) is a constant to autodiff; no error is raised"
    return grad(uses_helper, X), math.sin(X) + X * math.cos(X), note


# random branches: heads (probability p = sigmoid(theta)) gives 12 - theta**2, tails 8 + theta.
THETA, N = 0.5, 400


def sampled_path(u, sigmoid):  # the program for one draw u: a Python if on the draw
    return lambda t: 12 - t**2 if u < sigmoid(t) else 8 + t


def random_branch(grad, sigmoid, draws):
    pathwise = [grad(sampled_path(u, sigmoid), THETA) for u in draws]
    mean = sum(pathwise) / N

    def expectation(t):  # both outcomes, enumerated
        p = sigmoid(t)
        return p * (12 - t**2) + (1 - p) * (8 + t)

    values = sorted({round(g, 6) for g in pathwise})
    note = (
        f"the mean of {N} sampled-path gradients (their values {values} are the branch "
        f"derivatives, {-2 * THETA:g} for heads and 1 for tails) vs d/dtheta E[f], enumerated"
    )
    return mean, grad(expectation, THETA), note


def torch_random(grad):
    draws = torch.rand(N, generator=torch.Generator().manual_seed(0)).tolist()
    return random_branch(grad, torch.sigmoid, draws)


def jax_random(grad):
    draws = jax.random.uniform(jax.random.key(0), (N,)).tolist()
    return random_branch(grad, jax.nn.sigmoid, draws)


ROWS = ["if/else", "for/while", "function calls", "random branches"]
COLUMNS = ["The starting table said", "PyTorch (live)", "JAX (live)", "Precisely"]
CASES = {
    "if/else": (if_else, if_else),
    "for/while": (for_while, for_while),
    "function calls": (function_calls, function_calls),
    "random branches": (torch_random, jax_random),
}
PROBES = {
    (row, column): (lambda case=CASES[row][i], grad=GRADS[column]: case(grad))
    for row in ROWS
    for i, column in enumerate(GRADS)
}

TEXT_COLUMNS = {
    "The starting table said": {
        "if/else": "yes, only the executed path",
        "for/while": "yes, all steps contribute",
        "function calls": "yes if the functions use differentiable ops",
        "random branches": "risky, unstable or undefined",
    },
    "Precisely": {
        "if/else": "Yes: the gradient of the branch taken; the comparison passes no gradient "
        "and a jump between branches is invisible",
        "for/while": "Yes: each step that ran contributes a factor; the number of steps passes "
        "no gradient, and a data-dependent count fails under jax.jit and vmap",
        "function calls": "Yes: autodiff sees the framework operations a call runs, not the "
        "function; a helper that computes on a Python number silently drops its share",
        "random branches": "Exact gradient of the sampled path, a biased estimate of the "
        "gradient of the expectation; use REINFORCE or a reparameterisation",
    },
}

ROW_LINKS = {
    "if/else": "/auto_examples/caveats/plot_jump_vs_finite_differences",
    "for/while": "/auto_examples/control_flow/plot_loops",
    "function calls": "/auto_examples/caveats/plot_leaving_the_graph",
    "random branches": "/auto_examples/caveats/plot_random_branches",
}

# Each cell as the page publishes it (see live_tables.py): a changed outcome fails the build.
EXPECTED = {
    ("if/else", "PyTorch (live)"): "ok",
    ("if/else", "JAX (live)"): "ok",
    ("for/while", "PyTorch (live)"): "ok",
    ("for/while", "JAX (live)"): "ok",
    ("function calls", "PyTorch (live)"): ("wrong", 0.997495),
    ("function calls", "JAX (live)"): ("wrong", 0.997495),
    ("random branches", "PyTorch (live)"): ("wrong", -0.25),
    ("random branches", "JAX (live)"): ("wrong", -0.235),
}
