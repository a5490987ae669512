"""Probes for the live table "same program, different answers in PyTorch and JAX".

Each row is one program written the same way in both frameworks and run under the execution
mode named in the row label (PyTorch's / JAX's). A probe returns ``(got, expected)``, the
gradient it got and the closed form, or raises: the table then shows the exception class.
"""

import jax
import jax.numpy as jnp
import numpy as np
import torch

X = 1.5  # the point where gradients are taken
XS = [-1.0, 1.5]  # a batch for vmap, one input per branch


def branch(x):  # derivative: 2 * x for x > 0, else -1
    if x > 0:
        return x * x
    return -x


def doubling(x):  # doubles x until |y| >= 10: three doublings from 1.5, derivative 8
    y = x
    while abs(y) < 10:
        y = 2 * y
    return y


def doubling_lax(x):  # the same loop as a lax.while_loop
    return jax.lax.while_loop(lambda y: jnp.abs(y) < 10, lambda y: 2 * y, x)


def scaled_by_item(x):  # x * x, with the second factor read out with .item()
    return x * x.item()


def scaled_by_float(x):  # x * x, with the second factor read out with float()
    return x * float(x)


def loss(params):  # uses params["w"] only; "b" is a parameter the loss never reads
    return params["w"] * 3.0


def branch_derivative(x):
    return np.where(np.asarray(x) > 0, 2 * np.asarray(x), -1.0)


def backward(f, x=X):
    """PyTorch eager autograd: record f(x), then backward(); return x.grad."""
    x = torch.tensor(x, requires_grad=True)
    f(x).backward()
    return x.grad


def compiled_if_torch():
    torch._dynamo.reset()  # forget graphs compiled by earlier probes
    return backward(torch.compile(branch, backend="eager")), branch_derivative(X)


def unused_backward():
    w, b = torch.tensor(2.0, requires_grad=True), torch.tensor(1.0, requires_grad=True)
    loss({"w": w, "b": b}).backward()
    return b.grad, 0.0


IF_COMPILED = "Python if under the compiler (torch.compile / jax.jit)"
IF_VMAP = "Python if under vmap (torch.func.vmap / jax.vmap)"
PY_WHILE = "Python while under reverse mode (.backward() / jax.grad)"
WHILE_LOOP = "while loop under reverse mode (Python while / lax.while_loop)"
UNUSED = "unused parameter's gradient (.backward() / jax.grad)"
UNUSED_FUNC = "unused parameter's gradient (torch.func.grad / jax.grad)"
ITEM = ".item() inside grad (.backward() / jax.grad)"
FLOAT = "float(x) inside grad (.backward() / jax.grad)"

COLUMNS = ["PyTorch", "JAX"]
PROGRAMS = {  # row: (PyTorch probe, JAX probe)
    IF_COMPILED: (
        compiled_if_torch,
        lambda: (jax.grad(jax.jit(branch))(X), branch_derivative(X)),
    ),
    IF_VMAP: (
        lambda: (torch.func.vmap(torch.func.grad(branch))(torch.tensor(XS)), branch_derivative(XS)),
        lambda: (jax.vmap(jax.grad(branch))(jnp.array(XS)), branch_derivative(XS)),
    ),
    PY_WHILE: (
        lambda: (backward(doubling), 8.0),
        lambda: (jax.grad(doubling)(X), 8.0),
    ),
    WHILE_LOOP: (
        lambda: (backward(doubling), 8.0),
        lambda: (jax.grad(doubling_lax)(X), 8.0),
    ),
    UNUSED: (
        unused_backward,
        lambda: (jax.grad(loss)({"w": 2.0, "b": 1.0})["b"], 0.0),
    ),
    UNUSED_FUNC: (
        lambda: (torch.func.grad(loss)({"w": torch.tensor(2.0), "b": torch.tensor(1.0)})["b"], 0.0),
        lambda: (jax.grad(loss)({"w": 2.0, "b": 1.0})["b"], 0.0),
    ),
    ITEM: (
        lambda: (backward(scaled_by_item), 2 * X),
        lambda: (jax.grad(scaled_by_item)(X), 2 * X),
    ),
    FLOAT: (
        lambda: (backward(scaled_by_float), 2 * X),
        lambda: (jax.grad(scaled_by_float)(X), 2 * X),
    ),
}
ROWS = list(PROGRAMS)
PROBES = {
    (row, column): probes[i] for row, probes in PROGRAMS.items() for i, column in enumerate(COLUMNS)
}

COMPILERS, CAVEATS = "/auto_examples/compilers/", "/auto_examples/caveats/"
ROW_LINKS = {  # the example that shows the row in depth (none covers unused parameters)
    IF_COMPILED: COMPILERS + "plot_torch_compile_branches",
    IF_VMAP: COMPILERS + "plot_vmap_and_branches",
    PY_WHILE: "/auto_examples/control_flow/plot_loops",
    WHILE_LOOP: COMPILERS + "plot_jax_loops",
    ITEM: CAVEATS + "plot_leaving_the_graph",
    FLOAT: CAVEATS + "plot_leaving_the_graph",
}

# Each cell as the page publishes it, measured with the pinned releases; the page's prose
# relies on these outcomes, so a release that changes one fails the build, naming the cell.
EXPECTED = {
    (IF_COMPILED, "PyTorch"): "ok",
    (IF_COMPILED, "JAX"): "TracerBoolConversionError",
    (IF_VMAP, "PyTorch"): "RuntimeError",
    (IF_VMAP, "JAX"): "TracerBoolConversionError",
    (PY_WHILE, "PyTorch"): "ok",
    (PY_WHILE, "JAX"): "ok",
    (WHILE_LOOP, "PyTorch"): "ok",
    (WHILE_LOOP, "JAX"): "ValueError",
    (UNUSED, "PyTorch"): "none",
    (UNUSED, "JAX"): "ok",
    (UNUSED_FUNC, "PyTorch"): "ok",
    (UNUSED_FUNC, "JAX"): "ok",
    (ITEM, "PyTorch"): ("wrong", 1.5),
    (ITEM, "JAX"): ("wrong", 1.5),
    (FLOAT, "PyTorch"): ("wrong", 1.5),
    (FLOAT, "JAX"): "ConcretizationTypeError",
}
