"""
=============================================================
``None`` or zero: the gradient of a parameter not on the path
=============================================================

A parameter used only in the branch not taken gets no gradient. PyTorch reports that as
``.grad is None``, JAX as an array of zeros. This looks like a detail of presentation, but an
optimizer treats the two differently. ``torch.optim`` skips a parameter whose ``.grad`` is
``None``, so it gets no momentum step and no weight decay. A zero gradient still gets both. You
will see the same three training steps end at different weights, then how to get zeros from
PyTorch (``zero_grad(set_to_none=False)``, ``materialize_grads=True``), and JAX, whose
gradients are always zeros. The guide page :doc:`/guide/control_flow` walks through the series.
"""

# %%
# A branch that leaves one parameter out
# --------------------------------------
# ``loss`` uses ``a`` for a positive input and ``b`` otherwise. Three steps of SGD with
# momentum ``0.9`` and weight decay ``0.1`` (learning rate ``0.1``) see the inputs ``2, -1,
# -1``: ``a`` is on the path in the first step only. ``optimizer.zero_grad()`` sets the
# gradients to ``None`` (its default) or, with ``set_to_none=False``, to zeros.
import jax
import numpy as np
import torch

inputs = [2.0, -1.0, -1.0]
learning_rate, momentum, weight_decay = 0.1, 0.9, 0.1


def loss(a, b, x):
    if x > 0:
        return a * x
    return b * x


def train_torch(set_to_none, momentum, weight_decay):
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    optimizer = torch.optim.SGD(
        [a, b], lr=learning_rate, momentum=momentum, weight_decay=weight_decay
    )
    grads_of_a = []
    for x in inputs:
        optimizer.zero_grad(set_to_none=set_to_none)
        loss(a, b, x).backward()
        grads_of_a.append(None if a.grad is None else a.grad.item())
        optimizer.step()
    return a.item(), grads_of_a


final_a = {}
for set_to_none in [True, False]:
    final_a[set_to_none], grads_of_a = train_torch(set_to_none, momentum, weight_decay)
    print(f"set_to_none={set_to_none}: a.grad per step {grads_of_a}")

# %%
# The weights differ after three steps
# ------------------------------------
# With ``None``, the first step moves ``a`` by ``lr * (2 + decay * a) = 0.21`` and the two
# later steps leave it alone: ``a = 0.79``. With zeros, the momentum buffer keeps moving ``a``
# and the decay keeps shrinking it: ``a`` ends near ``0.41``. The closed forms below follow
# the update rule of ``torch.optim.SGD`` (the decay term is added to the gradient before the
# momentum buffer), written out by hand.
expected_with_none = 1.0 - learning_rate * (2.0 + weight_decay * 1.0)
expected_with_zeros, buffer = 1.0, None  # a, and the momentum buffer
for x in inputs:
    grad = (x if x > 0 else 0.0) + weight_decay * expected_with_zeros
    buffer = grad if buffer is None else momentum * buffer + grad
    expected_with_zeros -= learning_rate * buffer
print(f"a after 3 steps: {final_a[True]:.4f} with None, {final_a[False]:.4f} with zeros")
np.testing.assert_allclose(final_a[True], expected_with_none, rtol=1e-6, err_msg="None grads")
np.testing.assert_allclose(final_a[False], expected_with_zeros, rtol=1e-6, err_msg="zero grads")
assert final_a[True] - final_a[False] > 0.3, f"a: {final_a[True]} vs {final_a[False]}"

# %%
# Momentum and weight decay each cause it
# ---------------------------------------
# Turning each ingredient off in turn shows that both matter: with plain SGD (no momentum, no
# decay) a zero gradient changes nothing, and ``None`` and zeros agree.
for label, settings in {
    "momentum only": (momentum, 0.0),
    "weight decay only": (0.0, weight_decay),
    "plain SGD": (0.0, 0.0),
}.items():
    with_none, _ = train_torch(True, *settings)
    with_zeros, _ = train_torch(False, *settings)
    print(f"{label:17s}: a = {with_none:.4f} with None, {with_zeros:.4f} with zeros")
    if label == "plain SGD":
        np.testing.assert_allclose(with_zeros, with_none, rtol=1e-6, err_msg=label)
    else:
        assert with_none - with_zeros > 0.01, f"{label}: {with_none} vs {with_zeros}"

# %%
# Asking PyTorch for zeros
# ------------------------
# ``zero_grad(set_to_none=False)`` zeroes a ``.grad`` that exists, so it helped above only
# because ``a`` had been on the path once: a parameter never reached still has ``None``.
# ``torch.autograd.grad`` with ``materialize_grads=True`` returns zeros for every input not on
# the path (with ``allow_unused=True`` alone it returns ``None``).
a = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
optimizer = torch.optim.SGD([a, b], lr=learning_rate)
optimizer.zero_grad(set_to_none=False)
loss(a, b, -1.0).backward()
print(f"never on the path, after zero_grad(set_to_none=False): a.grad = {a.grad}")
assert a.grad is None, f"a.grad is {a.grad}"

unused = torch.autograd.grad(loss(a, b, -1.0), (a, b), allow_unused=True)
materialized = torch.autograd.grad(loss(a, b, -1.0), (a, b), materialize_grads=True)
print(f"allow_unused=True:      {unused}")
print(f"materialize_grads=True: {materialized}")
assert unused[0] is None, f"allow_unused gave {unused[0]} for a"
torch.testing.assert_close(materialized[0], torch.tensor(0.0), msg="materialize_grads for a")

# %%
# JAX: always zeros
# -----------------
# ``jax.grad`` returns an array for every leaf of the parameters, zero for a leaf not on the
# path, so there is no ``None`` for an update rule to skip. ``torch.optim.SGD``'s rule, written
# out over the gradient pytree (optimizers for JAX live in separate libraries), reaches the
# value PyTorch reached with zeros.
params = {"a": 1.0, "b": 1.0}
buffers = None
for step, x in enumerate(inputs):
    grads = jax.grad(lambda p, x=x: loss(p["a"], p["b"], x))(params)
    print(f"step {step}: jax.grad {jax.tree.map(float, grads)}")
    grads = jax.tree.map(lambda g, p: g + weight_decay * p, grads, params)
    if buffers is None:
        buffers = grads
    else:
        buffers = jax.tree.map(lambda m, g: momentum * m + g, buffers, grads)
    params = jax.tree.map(lambda p, m: p - learning_rate * m, params, buffers)
print(f"JAX: a = {float(params['a']):.4f} (PyTorch: {final_a[False]:.4f} with zeros)")
np.testing.assert_allclose(float(params["a"]), final_a[False], rtol=1e-5, err_msg="JAX a")
