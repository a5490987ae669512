"""
================================================================
``torch.func`` and ``torch.jit.trace``: transforms meet branches
================================================================

``torch.func`` brings JAX-style function transforms to PyTorch, with the same split: ``grad``
runs your Python on real values and follows a data-dependent ``if``, while ``vmap`` cannot,
because a batched tensor has no single truth value. You will see the real errors, the
``torch.where`` form that batches, one combination that the pinned release does not support,
and the older ``torch.jit.trace``, which does not refuse a branch but silently freezes the one
it saw: its warning, and the wrong value and gradient it then returns.

The JAX section shows the same transforms on the same function. The guide page
:doc:`/guide/compilers` puts these examples in order.
"""

# %%
# ``torch.func.grad`` follows a data-dependent ``if``
# ---------------------------------------------------
# ``torch.func.grad`` runs the function eagerly on real values, so a Python ``if`` on a tensor
# works and the gradient is that of the branch taken: ``2 x`` for positive inputs, ``-1``
# otherwise.
import warnings

import jax
import jax.numpy as jnp
import torch
from torch.func import grad, vmap


def branchy(x):
    if x > 0:
        return x**2
    return -x


for v, expected in [(2.0, 4.0), (-1.0, -1.0)]:
    g = grad(branchy)(torch.tensor(v))
    print(f"torch.func.grad(branchy)({v}) = {g.item()}   expected {expected}")
    torch.testing.assert_close(g, torch.tensor(expected))

# %%
# ``torch.func.vmap`` refuses data-dependent control flow and ``.item()``
# -----------------------------------------------------------------------
# Under ``vmap`` a tensor stands for a whole batch, so it has no single truth value and no
# single Python number. Both attempts raise a ``RuntimeError`` that says so.
xs = torch.tensor([2.0, -1.0])
attempts = {"if on a tensor": branchy, ".item()": lambda x: x * x.item()}
for name, fn in attempts.items():
    try:
        vmap(fn)(xs)
    except Exception as err:
        print(f"{name}: {type(err).__name__} - {str(err)[:200]}")
        assert isinstance(err, RuntimeError)
    else:
        raise AssertionError("the code above was expected to raise")


# %%
# ``torch.where``: the batched form
# ---------------------------------
# ``torch.where`` chooses element-wise between two computed tensors, so it needs no Python
# decision and batches. ``vmap(grad(...))`` then gives one gradient per element, each that of
# its own branch.
def where_version(x):
    return torch.where(x > 0, x**2, -x)


per_example = vmap(grad(where_version))(xs)
print("vmap(grad(where_version))([2, -1]) =", per_example, "  expected [4., -1.]")
torch.testing.assert_close(per_example, torch.tensor([4.0, -1.0]))


# %%
# ``torch.func.grad`` does not compose with ``torch.cond`` here
# --------------------------------------------------------------
# ``torch.cond`` works with ``torch.autograd`` and batches under ``vmap`` (see
# :doc:`/auto_examples/compilers/plot_vmap_and_branches`), but in the pinned torch 2.13
# ``torch.func.grad`` of a ``torch.cond`` fails inside its tracing machinery.
def cond_version(x):
    return torch.cond(x > 0, lambda x: x**2, lambda x: -x, (x,))


try:
    grad(cond_version)(torch.tensor(2.0))
except Exception as err:
    print(f"{type(err).__name__} - {str(err).splitlines()[0][:200]}")
    assert isinstance(err, AssertionError)
else:
    raise AssertionError("the code above was expected to raise")

# %%
# ``torch.jit.trace`` records only the branch it saw
# --------------------------------------------------
# Tracing runs the function once on an example and records the operations that ran; the
# ``if`` is evaluated once and frozen. PyTorch warns (a ``TracerWarning``), and torch 2.13 also
# warns that ``torch.jit.trace`` itself is deprecated. We record the warnings to show them.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    traced = torch.jit.trace(branchy, torch.tensor(2.0))
kinds = {}
for w in caught:
    kinds.setdefault(w.category.__name__, str(w.message))
for kind, message in kinds.items():
    print(f"{kind}: {message[:300]}")
assert "TracerWarning" in kinds and "DeprecationWarning" in kinds
print("traced code:", traced.code)

# %%
# On an input that should take the other branch, the traced function still squares. Its
# value and its gradient are both wrong, silently.
x = torch.tensor(-3.0, requires_grad=True)
y_traced, y_eager = traced(x), branchy(x)
(g_traced,) = torch.autograd.grad(y_traced, x)
(g_eager,) = torch.autograd.grad(y_eager, x)
print(
    f"at -3: traced {y_traced.item()} (gradient {g_traced.item()}), "
    f"eager {y_eager.item()} (gradient {g_eager.item()})"
)
torch.testing.assert_close(y_eager, torch.tensor(3.0))
torch.testing.assert_close(y_traced, torch.tensor(9.0))  # the frozen x**2 branch
torch.testing.assert_close(g_traced, torch.tensor(-6.0))

# %%
# JAX: the same split, without the silent trace
# ---------------------------------------------
# ``jax.grad`` follows the ``if`` like ``torch.func.grad``; ``jax.vmap`` refuses it like
# ``torch.func.vmap``; ``jnp.where`` is the batched form. JAX's tracer never freezes a branch:
# where ``torch.jit.trace`` warns and records, ``jax.jit`` raises.
print("jax.grad at 2.0 and -1.0:", jax.grad(branchy)(2.0), jax.grad(branchy)(-1.0))
assert abs(jax.grad(branchy)(2.0) - 4.0) < 1e-6 and abs(jax.grad(branchy)(-1.0) + 1.0) < 1e-6
for name, attempt in [
    ("vmap", lambda: jax.vmap(branchy)(jnp.array([2.0, -1.0]))),
    ("jit", lambda: jax.jit(branchy)(2.0)),
]:
    try:
        attempt()
    except Exception as err:
        print(f"{name}: {type(err).__name__} - {str(err).splitlines()[0]}")
        assert isinstance(err, jax.errors.TracerBoolConversionError)
    else:
        raise AssertionError("the code above was expected to raise")
per_example = jax.vmap(jax.grad(lambda x: jnp.where(x > 0, x**2, -x)))(jnp.array([2.0, -1.0]))
print("vmap(grad(jnp.where version)) =", per_example, "  expected [ 4. -1.]")
assert jnp.allclose(per_example, jnp.array([4.0, -1.0]))
