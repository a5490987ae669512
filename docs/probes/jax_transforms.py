"""Probes for the live table "JAX control-flow constructs x transforms".

Each row is one small scalar function ``f(x)``, written once at the top of this module
together with its closed-form value and derivative. Each probe runs one function under one
transform and returns ``(got, expected)``; if the transform rejects the construct, the probe
simply raises and the table shows the exception class.
"""

import jax
import jax.numpy as jnp
import numpy as np

X = 1.5  # point for grad, jit, jit(grad) and jvp
XS = np.array([-1.0, 1.5, 3.0])  # batch for vmap (covers every branch)


def python_if(x):
    if x > 0:
        return x**2
    return -x


def python_for(x):
    y = 1.0
    for _ in range(3):
        y = y * x
    return y


def python_while(x):  # doubles until |y| >= 10: data-dependent trip count
    y = x
    while abs(y) < 10:
        y = 2 * y
    return y


def lax_cond(x):
    return jax.lax.cond(x > 0, lambda x: x**2, lambda x: -x, x)


def lax_switch(x):
    i = jnp.clip(jnp.floor(x), 0, 2).astype(int)
    return jax.lax.switch(i, [lambda x: -x, lambda x: x**2, lambda x: x**3], x)


def jnp_where(x):
    return jnp.where(x > 0, x**2, -x)


def fori_static(x):  # bounds are Python ints
    return jax.lax.fori_loop(0, 3, lambda i, y: y * x, 1.0)


def fori_traced(x):  # bound computed from x: traced under jit and vmap, concrete in eager mode
    n = jnp.floor(x).astype(int) + 2
    return jax.lax.fori_loop(0, n, lambda i, y: y * x, 1.0)


def while_loop(x):
    return jax.lax.while_loop(lambda y: jnp.abs(y) < 10, lambda y: 2 * y, x)


def scan(x):
    return jax.lax.scan(lambda y, _: (y * x, None), 1.0, length=3)[0]


# Closed forms (numpy): value and derivative of each row's function.
def branch(x):
    return np.where(x > 0, x**2, -x), np.where(x > 0, 2 * x, -1.0)


def cube(x):
    return x**3, 3 * x**2


def doubling(x):  # y = x * 2**k with k = ceil(log2(10 / |x|))
    k = np.maximum(np.ceil(np.log2(10 / np.abs(x))), 0)
    return x * 2**k, 2**k


def switch3(x):
    i = np.clip(np.floor(x), 0, 2).astype(int)
    return np.choose(i, [-x, x**2, x**3]), np.choose(i, [-1.0, 2 * x, 3 * x**2])


def power_floor(x):  # x ** n with n = floor(x) + 2 (n is piecewise constant)
    n = np.floor(x) + 2
    return x**n, n * x ** (n - 1)


FUNCTIONS = {
    "Python if": (python_if, branch),
    "Python for": (python_for, cube),
    "Python while": (python_while, doubling),
    "lax.cond": (lax_cond, branch),
    "lax.switch": (lax_switch, switch3),
    "jnp.where": (jnp_where, branch),
    "lax.fori_loop (static bounds)": (fori_static, cube),
    "lax.fori_loop (bound computed from x)": (fori_traced, power_floor),
    "lax.while_loop": (while_loop, doubling),
    "lax.scan": (scan, cube),
}


# One probe per transform: (got, expected[, note]).
def eager_grad(f, exact):
    note = (
        "grad without jit: the bound's value is concrete, so the loop has a fixed count here; "
        "under jit it is traced"
        if f is fori_traced
        else ""
    )
    return lambda: (jax.grad(f)(X), exact(np.float64(X))[1], note)


def jit(f, exact):
    return lambda: (jax.jit(f)(X), exact(np.float64(X))[0])


def jit_grad(f, exact):
    return lambda: (jax.jit(jax.grad(f))(X), exact(np.float64(X))[1])


def jvp(f, exact):
    return lambda: (jax.jvp(f, (X,), (1.0,))[1], exact(np.float64(X))[1])


def vmap(f, exact):
    return lambda: (jax.vmap(f)(XS), exact(XS)[0])


ROWS = list(FUNCTIONS)
TRANSFORMS = {"eager grad": eager_grad, "jit": jit, "jit(grad)": jit_grad, "jvp": jvp, "vmap": vmap}
COLUMNS = list(TRANSFORMS)
PROBES = {(row, col): TRANSFORMS[col](*FUNCTIONS[row]) for row in ROWS for col in COLUMNS}

# The example page that shows each row in depth.
BRANCH_ROWS = ["Python if", "lax.cond", "lax.switch", "jnp.where"]
ROW_LINKS = {
    row: "/auto_examples/compilers/"
    + ("plot_jit_and_python_branches" if row in BRANCH_ROWS else "plot_jax_loops")
    for row in ROWS
}

# Each cell as the page publishes it: a release that changes one fails the build, naming it.
EXPECTED = {
    ("Python if", "eager grad"): "ok",
    ("Python if", "jit"): "TracerBoolConversionError",
    ("Python if", "jit(grad)"): "TracerBoolConversionError",
    ("Python if", "jvp"): "ok",
    ("Python if", "vmap"): "TracerBoolConversionError",
    ("Python for", "eager grad"): "ok",
    ("Python for", "jit"): "ok",
    ("Python for", "jit(grad)"): "ok",
    ("Python for", "jvp"): "ok",
    ("Python for", "vmap"): "ok",
    ("Python while", "eager grad"): "ok",
    ("Python while", "jit"): "TracerBoolConversionError",
    ("Python while", "jit(grad)"): "TracerBoolConversionError",
    ("Python while", "jvp"): "ok",
    ("Python while", "vmap"): "TracerBoolConversionError",
    ("lax.cond", "eager grad"): "ok",
    ("lax.cond", "jit"): "ok",
    ("lax.cond", "jit(grad)"): "ok",
    ("lax.cond", "jvp"): "ok",
    ("lax.cond", "vmap"): "ok",
    ("lax.switch", "eager grad"): "ok",
    ("lax.switch", "jit"): "ok",
    ("lax.switch", "jit(grad)"): "ok",
    ("lax.switch", "jvp"): "ok",
    ("lax.switch", "vmap"): "ok",
    ("jnp.where", "eager grad"): "ok",
    ("jnp.where", "jit"): "ok",
    ("jnp.where", "jit(grad)"): "ok",
    ("jnp.where", "jvp"): "ok",
    ("jnp.where", "vmap"): "ok",
    ("lax.fori_loop (static bounds)", "eager grad"): "ok",
    ("lax.fori_loop (static bounds)", "jit"): "ok",
    ("lax.fori_loop (static bounds)", "jit(grad)"): "ok",
    ("lax.fori_loop (static bounds)", "jvp"): "ok",
    ("lax.fori_loop (static bounds)", "vmap"): "ok",
    ("lax.fori_loop (bound computed from x)", "eager grad"): "ok",
    ("lax.fori_loop (bound computed from x)", "jit"): "ok",
    ("lax.fori_loop (bound computed from x)", "jit(grad)"): "ValueError",
    ("lax.fori_loop (bound computed from x)", "jvp"): "ok",
    ("lax.fori_loop (bound computed from x)", "vmap"): "ok",
    ("lax.while_loop", "eager grad"): "ValueError",
    ("lax.while_loop", "jit"): "ok",
    ("lax.while_loop", "jit(grad)"): "ValueError",
    ("lax.while_loop", "jvp"): "ok",
    ("lax.while_loop", "vmap"): "ok",
    ("lax.scan", "eager grad"): "ok",
    ("lax.scan", "jit"): "ok",
    ("lax.scan", "jit(grad)"): "ok",
    ("lax.scan", "jvp"): "ok",
    ("lax.scan", "vmap"): "ok",
}
