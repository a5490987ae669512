"""
===================================================================
Implicit differentiation of a vector fixed point: the adjoint solve
===================================================================

A loop ``x <- T(x, θ)`` that converges to ``x* = T(x*, θ)`` has a gradient that never needs
the loop: with ``J = ∂T/∂x`` at ``x*``, the gradient of a loss ``L(x*)`` is ``∂T/∂θᵀ u``
where ``u`` solves the adjoint system ``(I - J)ᵀ u = ∇L``. You will see that recipe for
``x = tanh(W x + θ)`` in JAX (a ``jax.custom_vjp`` and ``lax.custom_root``) and in PyTorch (a
``torch.autograd.Function`` checked by ``gradcheck``), all agreeing with the unrolled loop;
then a figure of what unrolled, truncated and implicit gradients cost as the iteration count
grows (gradient error, bytes kept for the backward pass, time); and why one differentiable
step at the solution is exact for Newton's map but wrong for a plain contraction. The scalar
case is in :doc:`/auto_examples/compilers/plot_newton_implicit_gradient`.

The guide page :doc:`/guide/expert_tools` puts these examples in order.
"""

# %%
# The fixed point and its unrolled gradient
# -----------------------------------------
# ``W`` is scaled to spectral norm 0.9 and ``|tanh'| <= 1``, so ``T`` is a contraction and the
# iteration converges. The reference gradient unrolls 400 iterations in PyTorch float64.
# Its gradient is exact because ``T`` contracts in ``x``: the unrolled derivative sums products
# of ``∂T/∂x`` along the iterates, which shrink geometrically since ``||∂T/∂x|| < 1`` (at
# ``x*``: printed, asserted), like the iterate's error. After 400 iterations both are exact to
# rounding: the PyTorch implicit gradient below, which solves instead of unrolling, agrees to
# a relative 1e-10 (asserted).
import time
from functools import partial

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch

N_DIM = 6
rng = np.random.default_rng(0)
W_np = rng.standard_normal((N_DIM, N_DIM))
W_np *= 0.9 / np.linalg.norm(W_np, 2)
theta_np, target_np = rng.standard_normal(N_DIM), rng.standard_normal(N_DIM)
W = torch.tensor(W_np, requires_grad=True)
theta = torch.tensor(theta_np, requires_grad=True)
target = torch.tensor(target_np)


def T_torch(x, W, theta):
    return torch.tanh(W @ x + theta)


def loss_torch(x):
    return 0.5 * ((x - target) ** 2).sum()


def unrolled(W, theta, iterations, x=None):
    x = torch.zeros(N_DIM, dtype=torch.float64) if x is None else x
    for _ in range(iterations):
        x = T_torch(x, W, theta)
    return x


x_ref = unrolled(W, theta, 400)
grad_W_ref, grad_theta_ref = torch.autograd.grad(loss_torch(x_ref), (W, theta))
x_star = x_ref.detach()
J = torch.func.jacrev(T_torch)(x_star, W.detach(), theta.detach())
residual = (T_torch(x_star, W, theta) - x_star).abs().max().item()
J_norm = torch.linalg.norm(J, 2).item()
W_norm = np.linalg.norm(W_np, 2)
print(f"||W|| = {W_norm:.2f}, ||∂T/∂x|| at x* = {J_norm:.3f}")
print(f"400 iterations: residual |T(x*) - x*| = {residual:.1e}")
print("exact dL/dθ:", np.round(grad_theta_ref.numpy(), 5))
assert J_norm < 1, f"T should contract at x*: ||∂T/∂x|| = {J_norm:.3f}"
assert residual < 1e-14, f"400 iterations should converge, residual {residual:.1e}"


# %%
# JAX: a fixed-point ``jax.custom_vjp`` with the adjoint solve
# ------------------------------------------------------------
# As in JAX's custom_vjp tutorial, the forward pass runs a ``lax.while_loop`` (which alone
# cannot be reverse-differentiated: :ref:`error-while-loop-reverse-mode`), and the backward
# pass solves ``u = ∇L + Jᵀ u``, i.e. ``(I - J)ᵀ u = ∇L``, by the *same* solver on a linear map
# built from ``jax.vjp``; then ``∂T/∂θᵀ u`` is one more vjp. ``params`` is the pytree
# ``(W, θ)``, so one adjoint solve gives both gradients. JAX runs in float32 here.
def T_jax(params, x):
    W, theta = params
    return jnp.tanh(W @ x + theta)


@partial(jax.custom_vjp, nondiff_argnums=(0,))
def fixed_point(f, params, x_guess):
    def not_converged(carry):
        return jnp.max(jnp.abs(carry[1] - carry[0])) > 1e-6

    def step(carry):
        return carry[1], f(params, carry[1])

    return jax.lax.while_loop(not_converged, step, (x_guess, f(params, x_guess)))[1]


def fixed_point_fwd(f, params, x_guess):
    x_star = fixed_point(f, params, x_guess)
    return x_star, (params, x_star)


def adjoint_step(f, packed, u):  # u -> ∇L + Jᵀ u
    params, x_star, x_star_bar = packed
    _, vjp_x = jax.vjp(lambda x: f(params, x), x_star)
    return x_star_bar + vjp_x(u)[0]


def fixed_point_bwd(f, residuals, x_star_bar):
    params, x_star = residuals
    u = fixed_point(partial(adjoint_step, f), (params, x_star, x_star_bar), x_star_bar)
    _, vjp_params = jax.vjp(lambda p: f(p, x_star), params)
    return vjp_params(u)[0], jnp.zeros_like(x_star)


fixed_point.defvjp(fixed_point_fwd, fixed_point_bwd)
params_jax = (jnp.asarray(W_np, jnp.float32), jnp.asarray(theta_np, jnp.float32))


def loss_custom_vjp(params):
    x = fixed_point(T_jax, params, jnp.zeros(N_DIM))
    return 0.5 * jnp.sum((x - jnp.asarray(target_np, jnp.float32)) ** 2)


grad_W_vjp, grad_theta_vjp = jax.jit(jax.grad(loss_custom_vjp))(params_jax)
W_error = np.abs(grad_W_vjp - grad_W_ref.numpy()).max()
print(f"custom_vjp dL/dθ ({grad_theta_vjp.dtype}):", np.round(np.asarray(grad_theta_vjp), 5))
print(f"custom_vjp dL/dW: max error {W_error:.1e} over {grad_W_vjp.size} entries")
np.testing.assert_allclose(grad_theta_vjp, grad_theta_ref, rtol=1e-4, err_msg="custom_vjp θ")
np.testing.assert_allclose(grad_W_vjp, grad_W_ref, rtol=1e-4, atol=1e-6, err_msg="custom_vjp W")


# %%
# JAX: ``lax.custom_root`` with a real linear solve
# -------------------------------------------------
# ``custom_root`` asks for the residual ``T(x) - x``, a solver it never differentiates, and a
# ``tangent_solve(linear_map, rhs)``. Here ``tangent_solve`` builds the matrix of the linear
# map with ``jax.jacfwd`` and calls ``jnp.linalg.solve``; for reverse mode JAX transposes
# that solve, which is the adjoint system again.
def solve_by_iteration(residual_fn, x_guess):
    return fixed_point(lambda _, x: x + residual_fn(x), None, x_guess)


def tangent_solve(linear_map, rhs):
    matrix = jax.jacfwd(linear_map)(jnp.zeros_like(rhs))
    return jnp.linalg.solve(matrix, rhs)


def loss_custom_root(params):
    x = jax.lax.custom_root(
        lambda x: T_jax(params, x) - x, jnp.zeros(N_DIM), solve_by_iteration, tangent_solve
    )
    return 0.5 * jnp.sum((x - jnp.asarray(target_np, jnp.float32)) ** 2)


grad_W_root, grad_theta_root = jax.jit(jax.grad(loss_custom_root))(params_jax)
print("custom_root dL/dθ:", np.round(np.asarray(grad_theta_root), 5))
np.testing.assert_allclose(grad_theta_root, grad_theta_vjp, rtol=1e-5, err_msg="root vs vjp")
np.testing.assert_allclose(grad_W_root, grad_W_ref, rtol=1e-4, atol=1e-6, err_msg="root W")


# %%
# PyTorch: an ``autograd.Function`` whose backward solves
# -------------------------------------------------------
# ``forward`` iterates without recording (autograd is off inside it) and saves only ``x*``,
# ``W`` and ``θ``. ``backward`` gets ``J`` from ``torch.func.jacrev``, solves
# ``(I - J)ᵀ u = ∇L`` with ``torch.linalg.solve``, and returns ``∂T/∂(W, θ)ᵀ u`` from
# ``torch.func.vjp``. ``gradcheck`` compares it with finite differences in float64.
class FixedPointImplicit(torch.autograd.Function):
    @staticmethod
    def forward(ctx, W, theta, iterations):
        x = unrolled(W, theta, iterations)
        ctx.save_for_backward(x, W, theta)
        return x

    @staticmethod
    def backward(ctx, x_bar):
        x, W, theta = ctx.saved_tensors
        J = torch.func.jacrev(T_torch)(x, W, theta)
        u = torch.linalg.solve((torch.eye(N_DIM, dtype=J.dtype) - J).T, x_bar)
        _, vjp_params = torch.func.vjp(lambda W, theta: T_torch(x, W, theta), W, theta)
        return *vjp_params(u), None


x_implicit = FixedPointImplicit.apply(W, theta, 400)
grad_W_implicit, grad_theta_implicit = torch.autograd.grad(loss_torch(x_implicit), (W, theta))
passed = torch.autograd.gradcheck(lambda W, t: FixedPointImplicit.apply(W, t, 60), (W, theta))
print(f"gradcheck: {passed}; dL/dθ:", np.round(grad_theta_implicit.numpy(), 5))
assert passed, "gradcheck returned False"
np.testing.assert_allclose(grad_theta_implicit, grad_theta_ref, rtol=1e-10, err_msg="torch θ")
np.testing.assert_allclose(grad_W_implicit, grad_W_ref, rtol=1e-10, err_msg="torch W")
np.testing.assert_allclose(grad_theta_implicit, grad_theta_root, rtol=1e-4, err_msg="vs JAX")


# %%
# Unrolled, truncated and implicit gradients as the iteration count grows
# -----------------------------------------------------------------------
# For ``K`` iterations from ``x = 0``: *unrolled* records all ``K``; *truncated* runs ``K - 5``
# without recording and backpropagates through the last 5; *implicit* is ``FixedPointImplicit``
# at the ``K``-th iterate. A ``saved_tensors_hooks`` pack hook sees every tensor autograd keeps
# for the backward pass; we add up distinct storages (``W`` is kept once). The unrolled error
# shrinks with ``K`` while its graph grows by one iterate per iteration. Truncation keeps memory
# flat, but its error stops shrinking: 5 steps give only the first 5 terms of ``(I - Jᵀ)⁻¹ = I +
# Jᵀ + Jᵀ² + ...``. The implicit gradient keeps the same bytes at every ``K`` and is as accurate
# as unrolling, or better, down to rounding (the reference is itself unrolled, hence unrolling's
# exact zeros). The hook returns ``tensor.detach()`` (same storage), as
# ``saved_tensors_hooks``'s docstring advises against a reference cycle. Times are this
# process's CPU time (``time.process_time``) with PyTorch on one thread, best of 3 runs of
# forward and backward without the hook, measured while this page was built, on that machine's
# CPU and possibly beside other jobs: they change from run to run. The assertions ask only that
# at ``K = 160`` unrolling takes more than 1.3 times the implicit time, and 5 times its own at
# ``K = 5``.
def error_and_bytes(method, K):
    storages = {}

    def pack(tensor):
        storages[tensor.untyped_storage().data_ptr()] = tensor.untyped_storage().nbytes()
        return tensor.detach()

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        loss = loss_torch(method(K))
    grad = torch.autograd.grad(loss, theta)[0]
    return (grad - grad_theta_ref).abs().max().item(), sum(storages.values())


def cpu_seconds(method, K):  # forward and backward, without the hook
    start = time.process_time()
    torch.autograd.grad(loss_torch(method(K)), theta)
    return time.process_time() - start


def truncated(K, steps=5):
    with torch.no_grad():
        x = unrolled(W, theta, K - steps)
    return unrolled(W, theta, steps, x)


methods = {
    "unrolled": lambda K: unrolled(W, theta, K),
    "truncated": truncated,
    "implicit": lambda K: FixedPointImplicit.apply(W, theta, K),
}
counts = [5, 10, 15, 20, 30, 40, 60, 80, 120, 160]
error, memory, seconds = ({name: [] for name in methods} for _ in range(3))
torch.set_num_threads(1)  # no idle threads spinning in the CPU time
for K in counts:
    for name, method in methods.items():
        error_K, bytes_K = error_and_bytes(method, K)
        error[name].append(error_K)
        memory[name].append(bytes_K)
        seconds[name].append(min(cpu_seconds(method, K) for _ in range(3)))
print("K, then error and saved bytes of unrolled, truncated, implicit")
for i, K in enumerate(counts):
    errors = " ".join(f"{error[name][i]:9.1e}" for name in methods)
    print(f"{K:3d}  {errors}  ", *(f"{memory[name][i]:5d}" for name in methods))

slope = np.polyfit(counts, memory["unrolled"], 1)[0]
print(f"unrolled graph: {slope:.1f} bytes per iteration (one float64 iterate: {8 * N_DIM})")
np.testing.assert_allclose(slope, 8 * N_DIM, rtol=0.05, err_msg="unrolled bytes per iteration")
assert len(set(memory["implicit"])) == 1, f"implicit memory varies: {memory['implicit']}"
assert len(set(memory["truncated"])) == 1, f"truncated memory varies: {memory['truncated']}"
assert error["unrolled"][-1] < 1e-6 * error["unrolled"][0], f"unrolled: {error['unrolled']}"
assert error["truncated"][-1] > 1e-3, f"truncated bias should stay: {error['truncated']}"
for K, unrolled_error, implicit_error in zip(counts, error["unrolled"], error["implicit"]):
    assert implicit_error <= max(unrolled_error, 1e-15), f"K={K}: implicit {implicit_error:.1e}"
time_ratio = seconds["unrolled"][-1] / seconds["implicit"][-1]
growth = seconds["unrolled"][-1] / seconds["unrolled"][0]
print(f"forward + backward at K={counts[-1]}, process CPU time, torch on 1 thread, best of 3:")
print(f"unrolled: {time_ratio:.1f}x implicit, {growth:.1f}x unrolled at K=5")
assert time_ratio > 1.3, f"unrolled should be slower than implicit: {time_ratio:.1f}x"
assert growth > 5, f"unrolled time should grow with K: {seconds['unrolled']}"

fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
for name in methods:
    axes[0].semilogy(counts, np.maximum(error[name], 1e-17), "o-", label=name)
    axes[1].plot(counts, memory[name], "o-", label=name)
    axes[2].plot(counts, 1e3 * np.array(seconds[name]), "o-", label=name)
labels = ["max |dL/dθ - exact| (floor 1e-17)", "bytes saved for backward"]
for ax, ylabel in zip(axes, [*labels, "forward + backward, CPU ms"]):
    ax.set_xlabel("iterations K")
    ax.set_ylabel(ylabel)
axes[0].legend()
fig.tight_layout()
plt.show()


# %%
# One differentiable step at the solution: exact for Newton, wrong for a contraction
# ----------------------------------------------------------------------------------
# Running ``T`` once *with* autograd at ``x*`` gives ``∂T/∂θᵀ ∇L``: the adjoint solve is
# skipped, as if ``J`` were 0. A Newton step for ``x - T(x) = 0``,
# ``N(x) = x - (I - J)⁻¹ (x - T(x, θ))`` with ``J`` taken at ``x*``, has ``∂N/∂x = 0`` at the
# root, so its one step carries the whole ``(I - J)⁻¹`` factor.
def newton_step(x, W, theta):
    return x - torch.linalg.solve(torch.eye(N_DIM, dtype=J.dtype) - J, x - T_torch(x, W, theta))


dN_dx = torch.func.jacrev(newton_step)(x_star, W.detach(), theta.detach())
one_step_T = torch.autograd.grad(loss_torch(T_torch(x_star, W, theta)), theta)[0]
one_step_N = torch.autograd.grad(loss_torch(newton_step(x_star, W, theta)), theta)[0]
error_T = (one_step_T - grad_theta_ref).abs().max().item()
error_N = (one_step_N - grad_theta_ref).abs().max().item()
print(f"max |∂T/∂x| = {J.abs().max():.3f}, max |∂N/∂x| = {dN_dx.abs().max():.1e}")
print(f"one step of T: error {error_T:.2e};  one Newton step: error {error_N:.2e}")
assert dN_dx.abs().max() < 1e-12, f"Newton's map should be flat at the root: {dN_dx}"
assert error_T > 0.1, f"one step of T should miss the (I - J)^-1 factor: error {error_T:.2e}"
assert error_N < 1e-12, f"one Newton step should be exact: error {error_N:.2e}"
