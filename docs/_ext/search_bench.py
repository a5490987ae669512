"""The search benchmark: real queries, each with the page or section that answers it.

Three kinds of query, as readers type them:

* ``message``: an error message pasted whole as the pinned releases (torch 2.13.0, jax 0.10.2)
  print it in a terminal, with its module path, shapes, file names and object ids (taken from
  the build's own output: the tracebacks of ``errors.html`` and the gallery's printed errors);
* ``older``: the same error in an older release's wording, as pasted in public issue threads;
* ``question``: a question or a few words in plain language.

A query is a hit when one of its first three results is an expected target: a page
(``guide/compilers.html``: any section of it) or a section (``errors.html#error-...``).
``tests/site/test_search.py`` runs it in a real browser against the built site and asserts the
top-3 rate; ``python docs/_ext/search_bench.py _build/html`` prints the table for a built site.
"""

import functools
import sys
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlparse

ERRORS = "errors.html#error-"
CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOP = 3
KINDS = ["message", "older", "question"]


@dataclass(frozen=True)
class Query:
    kind: str  # "message", "older" or "question"
    text: str
    expected: tuple[str, ...]  # pages ("a/b.html") or sections ("a/b.html#anchor")
    source: str = ""  # where an older wording or a question was seen


def errors(*anchors: str) -> tuple[str, ...]:
    return tuple(ERRORS + anchor for anchor in anchors)


EXAMPLES = "auto_examples/"
NAN_PAGE = EXAMPLES + "caveats/plot_nan_from_untaken_branch.html"
KINKS_PAGE = EXAMPLES + "caveats/plot_kinks_and_non_differentiable_ops.html"
RANDOM_PAGE = EXAMPLES + "caveats/plot_random_branches.html"
JAX_LOOPS_PAGE = EXAMPLES + "compilers/plot_jax_loops.html"
JIT_PAGE = EXAMPLES + "compilers/plot_jit_and_python_branches.html"
SURROGATES_PAGE = EXAMPLES + "caveats/plot_smooth_surrogates.html"
TORCH_FUNC_PAGE = EXAMPLES + "compilers/plot_torch_func_and_trace.html"
EXPECTATIONS_PAGE = EXAMPLES + "caveats/plot_gradients_of_expectations.html"
MEMORY_PAGE = EXAMPLES + "scale/plot_memory_across_iterations.html"
CUSTOM_RULES_PAGE = EXAMPLES + "expert_tools/plot_custom_derivative_rules.html"
NAN_SOURCES_PAGE = EXAMPLES + "expert_tools/plot_finding_nan_sources.html"
IMPLICIT_PAGE = EXAMPLES + "expert_tools/plot_implicit_differentiation.html"
NEWTON_PAGE = EXAMPLES + "compilers/plot_newton_implicit_gradient.html"

QUERIES = [
    # -- Messages as the pinned releases print them --------------------------------------------
    Query(
        "message",
        "jax.errors.TracerBoolConversionError: Attempted boolean conversion of traced array with"
        " shape bool[].\nThe error occurred while tracing the function relu_if at"
        " /home/me/model.py:4 for jit. This concrete value was not available in Python because"
        " it depends on the value of the argument x.\n"
        "See https://docs.jax.dev/en/latest/errors.html#jax.errors.TracerBoolConversionError",
        errors("tracerboolconversionerror"),
    ),
    Query(
        "message",
        "jax.errors.ConcretizationTypeError: Abstract tracer value encountered where concrete"
        " value is expected: traced array with shape float32[]\nThe problem arose with the"
        " `float` function. If trying to convert the data type of a value, try using"
        " `x.astype(float)` or `jnp.array(x, float)` instead.",
        errors("concretizationtypeerror"),
    ),
    Query(
        "message",
        "jax._src.errors.ConcretizationTypeError: Abstract tracer value encountered where"
        " concrete value is expected: traced array with shape float32[]",
        errors("concretizationtypeerror"),
        "the issue's example: the private module path of older tracebacks",
    ),
    Query(
        "message",
        "jax.errors.ConcretizationTypeError: Abstract tracer value encountered where concrete"
        " value is expected: traced array with shape int32[]\nThe problem arose with the `int`"
        " function. If trying to convert the data type of a value, try using `x.astype(int)` or"
        " `jnp.array(x, int)` instead.\nThe error occurred while tracing the function power at"
        " train.py:12 for jit. This concrete value was not available in Python because it"
        " depends on the value of the argument n.",
        errors("concretizationtypeerror"),
    ),
    Query(
        "message",
        "jax.errors.TracerIntegerConversionError: The __index__() method was called on traced"
        " array with shape int32[]\nThe error occurred while tracing the function power_range at"
        " loop.py:1 for jit.",
        errors("tracerintegerconversionerror"),
    ),
    Query(
        "message",
        "ValueError: Reverse-mode differentiation does not work for lax.while_loop or"
        " lax.fori_loop with dynamic start/stop values. Try using lax.scan, or using fori_loop"
        " with static start/stop.",
        errors("while-loop-reverse-mode"),
    ),
    Query(
        "message",
        "jax.errors.TracerBoolConversionError: Attempted boolean conversion of traced array with"
        " shape bool[].\nThis VmapTracer with object id 140089589106432 was created on line:\n"
        "  /home/me/batch.py:3:7 (f)",
        errors("jax-vmap-data-dependent", "tracerboolconversionerror"),
    ),
    Query(
        "message",
        "jax.errors.TracerArrayConversionError: The numpy.ndarray conversion method __array__()"
        " was called on traced array with shape float32[]",
        errors("tracerarrayconversionerror"),
    ),
    Query(
        "message",
        "TypeError: JAX arrays are immutable and do not support in-place item assignment."
        " Instead of x[idx] = y, use x = x.at[idx].set(y) or another .at[] method:"
        " https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html",
        errors("jax-arrays-immutable"),
    ),
    Query(
        "message",
        "ValueError: The truth value of an array with more than one element is ambiguous. Use"
        " a.any() or a.all()",
        errors("jax-truth-value-ambiguous"),
    ),
    Query(
        "message",
        "TypeError: grad requires real-valued outputs (output dtype that is a sub-dtype of"
        " np.floating), but got int32. For differentiation of functions with integer outputs,"
        " use jax.vjp directly.",
        errors("grad-requires-real-valued-outputs"),
    ),
    Query(
        "message",
        "jax.errors.NonConcreteBooleanIndexError: Array boolean indices must be concrete; got"
        " bool[5]\n\nSee https://docs.jax.dev/en/latest/errors.html"
        "#jax.errors.NonConcreteBooleanIndexError",
        errors("nonconcretebooleanindexerror"),
    ),
    Query(
        "message",
        "jax.errors.ConcretizationTypeError: Abstract tracer value encountered where concrete"
        " value is expected: traced array with shape int32[]\nThe size argument of jnp.nonzero"
        " must be statically specified to use jnp.nonzero within JAX transformations.",
        errors("nonconcretebooleanindexerror", "concretizationtypeerror"),
    ),
    Query(
        "message",
        "ValueError: Non-hashable static arguments are not supported. An error occurred while"
        " trying to hash an object of type <class 'list'>, [1.0, -2.0, 3.0]. The error was:\n"
        "TypeError: unhashable type: 'list'",
        errors("non-hashable-static-arguments"),
    ),
    Query(
        "message",
        "ValueError: Non-hashable static arguments are not supported. An error occurred while"
        " trying to hash an object of type <class 'tuple'>, (JitTracer(~float32[]),"
        " JitTracer(~float32[]), JitTracer(~float32[])). The error was:\n"
        "TypeError: unhashable type: 'DynamicJaxprTracer'",
        errors("non-hashable-static-arguments"),
    ),
    Query(
        "message",
        "jax.errors.TracerBoolConversionError: Attempted boolean conversion of traced array with"
        " shape bool[].\nThe error occurred while tracing the function block at"
        " /home/me/model.py:1 for checkpoint / remat. This concrete value was not available in"
        " Python because it depends on the value of the argument square.\n"
        "See https://docs.jax.dev/en/latest/errors.html#jax.errors.TracerBoolConversionError\n\n"
        "Consider using the `static_argnums` parameter for `jax.remat` or `jax.checkpoint`.",
        errors("jax-checkpoint-static-argument", "tracerboolconversionerror"),
    ),
    Query(
        "message",
        "RecursionError: maximum recursion depth exceeded while calling a Python object",
        errors("recursion-through-lax-cond"),
    ),
    Query(
        "message",
        "jax.errors.TracerIntegerConversionError: The __index__() method was called on traced"
        " array with shape int32[]\nThe error occurred while tracing the function pairwise_sum"
        " at sum.py:1 for jit. This value became a tracer due to JAX operations on these"
        " lines:\n\n  operation a:f32[] = log2 8.0:f32[]",
        errors("tracerintegerconversionerror"),
    ),
    Query(
        "message",
        "TypeError: can't apply forward-mode autodiff (jvp) to a custom_vjp function.",
        errors("custom-vjp-forward-mode"),
    ),
    Query(
        "message",
        "FloatingPointError: invalid value (nan) encountered in mul",
        errors("debug-nans-invalid-value"),
    ),
    Query(
        "message",
        "jax._src.checkify.JaxRuntimeError: nan generated by primitive: mul.",
        errors("checkify-nan-generated"),
    ),
    Query(
        "message",
        "jax._src.checkify.JaxRuntimeError: division by zero",
        errors("checkify-division-by-zero"),
    ),
    Query(
        "message",
        "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn",
        errors("does-not-require-grad"),
    ),
    Query(
        "message",
        "RuntimeError: Boolean value of Tensor with more than one value is ambiguous",
        errors("ambiguous-boolean-tensor"),
    ),
    Query(
        "message",
        "RuntimeError: one of the variables needed for gradient computation has been modified by"
        " an inplace operation: [torch.FloatTensor [2]], which is output 0 of ExpBackward0, is at"
        " version 3; expected version 0 instead. Hint: enable anomaly detection to find the"
        " operation that failed to compute its gradient, with"
        " torch.autograd.set_detect_anomaly(True, check_nan=False).",
        errors("inplace-modification"),
    ),
    Query(
        "message",
        "RuntimeError: one of the variables needed for gradient computation has been modified by"
        " an inplace operation: [torch.cuda.FloatTensor [64, 128]], which is output 0 of"
        " ReluBackward0, is at version 1; expected version 0 instead. Hint: enable anomaly"
        " detection to find the operation that failed to compute its gradient, with"
        " torch.autograd.set_detect_anomaly(True).",
        errors("inplace-modification"),
        "the issue's example: a GPU tensor's type and shape, another operation",
    ),
    Query(
        "message",
        "RuntimeError: Trying to backward through the graph a second time (or directly access"
        " saved tensors after they have already been freed). Saved intermediate values of the"
        " graph are freed when you call .backward() or autograd.grad(). Specify"
        " retain_graph=True if you need to backward through the graph a second time or if you"
        " need to access saved tensors after calling backward.",
        errors("backward-second-time"),
    ),
    Query(
        "message",
        "RuntimeError: vmap: It looks like you're attempting to use a Tensor in some"
        " data-dependent control flow. We don't support that yet, please file an issue at"
        " https://github.com/pytorch/pytorch/issues .",
        errors("torch-vmap-data-dependent"),
    ),
    Query(
        "message",
        "RuntimeError: vmap: It looks like you're calling .item() on a Tensor. We don't support"
        " vmap over calling .item() on a Tensor, please try to rewrite what you're doing with"
        " other operations. If error is occurring somewhere inside PyTorch internals, please"
        " file a bug report.",
        errors("torch-vmap-item"),
    ),
    Query(
        "message",
        "torch._dynamo.exc.Unsupported: Data-dependent branching\n  Explanation: Detected"
        " data-dependent branching (e.g. `if my_tensor.sum() > 0:`). Dynamo does not support"
        " tracing dynamic control flow.\n  Hint: This graph break is fundamental - it is"
        " unlikely that Dynamo will ever be able to trace through your code. Consider finding a"
        " workaround.\n  Hint: Use `torch.cond` to express dynamic control flow.\n\n  Developer"
        " debug context: attempted to jump with TensorVariable()",
        errors("torch-compile-data-dependent-branching"),
    ),
    Query(
        "message",
        "RuntimeError: Can't call numpy() on Tensor that requires grad. Use"
        " tensor.detach().numpy() instead.",
        errors("numpy-requires-grad"),
    ),
    Query(
        "message",
        "RuntimeError: The differentiated Tensor at index 1 appears to not have been used in the"
        " graph. Set allow_unused=True if this is the desired behavior.",
        errors("differentiated-tensor-unused"),
    ),
    Query(
        "message",
        "torch.fx.proxy.TraceError: symbolically traced variables cannot be used as inputs to"
        " control flow",
        errors("torch-fx-trace-error"),
    ),
    Query(
        "message",
        "RuntimeError: derivative for aten::heaviside is not implemented",
        errors("derivative-not-implemented"),
    ),
    Query(
        "message",
        "AssertionError: Expected FakeTensor, got <class 'torch.Tensor'>\n\nfrom user code:\n"
        '   File "/usr/lib/python3.11/site-packages/torch/_higher_order_ops/cond.py", line 242,'
        " in _cond_op_wrapper\n    return cond_op(*args, **kwargs)",
        errors("torch-cond-func-grad"),
    ),
    Query(
        "message",
        "RuntimeError: Expected pred to be bool or single-element tensor, but got"
        " tensor([ True, False]).",
        errors("torch-cond-batched-predicate"),
    ),
    Query(
        "message",
        "torch.utils.checkpoint.CheckpointError: torch.utils.checkpoint: A different number of"
        " tensors was saved during the original forward and recomputation.\nNumber of tensors"
        " saved during forward: 2\nNumber of tensors saved during recomputation: 1.",
        errors("checkpoint-recomputation"),
    ),
    Query(
        "message",
        '  File "/usr/lib/python3.11/site-packages/torch/distributions/distribution.py", line'
        " 181, in rsample\n    raise NotImplementedError\nNotImplementedError",
        errors("rsample-not-implemented"),
    ),
    Query(
        "message",
        "RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.",
        errors("anomaly-returned-nan"),
    ),
    Query(
        "message",
        "torch._dynamo.exc.UserError: Consider annotating your code using torch._check*()."
        " Could not guard on data-dependent expression u0 > 2 (unhinted: u0 > 2).  (Size-like"
        " symbols: u0)",
        errors("torch-compile-data-dependent-size"),
    ),
    Query(
        "message",
        "torch._dynamo.exc.UserError: Consider annotating your code using torch._check*()."
        " Could not guard on data-dependent expression zuf0 > 0.0 (unhinted: zuf0 > 0.0)."
        "  (Size-like symbols: none)",
        errors("torch-compile-item-branch"),
    ),
    Query(
        "message",
        "torch._dynamo.exc.FailOnRecompileLimitHit: Hard failure due to"
        " fail_on_recompile_limit_hit",
        errors("torch-recompile-limit"),
    ),
    Query(
        "message",
        "torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode: Could not guard on"
        " data-dependent expression Eq(u0, 1) (unhinted: Eq(u0, 1)).  (Size-like symbols: none)",
        errors("torch-export-data-dependent-guard"),
    ),
    Query(
        "message",
        "torch._dynamo.exc.UncapturedHigherOrderOpError: This higher order operator doesn't"
        " work unless it is captured completely with torch.compile. Got graph break/error:",
        errors("torch-scan-func-grad"),
    ),
    Query(
        "message",
        "RuntimeError: In order to use an autograd.Function with functorch transforms (vmap,"
        " grad, jvp, jacrev, ...), it must override the setup_context staticmethod. For more"
        " details, please see https://pytorch.org/docs/main/notes/extending.func.html",
        errors("function-setup-context"),
    ),
    Query(
        "message",
        "NotImplementedError: You must implement the jvp function for custom autograd.Function"
        " to use it with forward mode AD.",
        errors("function-forward-mode-jvp"),
    ),
    Query(
        "message",
        "RuntimeError: You tried to vmap over CubeBackwardOnly, but it does not have vmap"
        " support. Please override and implement the vmap staticmethod or set"
        " generate_vmap_rule=True. For more details, please see"
        " https://pytorch.org/docs/main/notes/extending.func.html",
        errors("function-vmap-support"),
    ),
    Query(
        "message",
        "TracerWarning: Converting a tensor to a Python boolean might cause the trace to be"
        " incorrect. We can't record the data flow of Python values, so this value will be"
        " treated as a constant in the future.",
        (TORCH_FUNC_PAGE, "guide/compilers.html"),
    ),
    # -- Older releases' wordings, from public issue threads -----------------------------------
    Query(
        "older",
        "TypeError: Abstract value passed to `bool`, which requires a concrete value. The"
        " function to be transformed can't be traced at the required level of abstraction. If"
        " using `jit`, try using `static_argnums` or applying `jit` to smaller subfunctions"
        " instead.",
        errors("tracerboolconversionerror", "concretizationtypeerror"),
        "jax-ml/jax#1271 (2019)",
    ),
    Query(
        "older",
        "jax._src.errors.ConcretizationTypeError: Abstract tracer value encountered where"
        " concrete value is expected: Traced<ShapedArray(bool[], weak_type=True)>with"
        "<DynamicJaxprTrace(level=0/9)>\nThe problem arose with the `bool` function.",
        errors("tracerboolconversionerror", "concretizationtypeerror"),
        "google-research/scenic#709",
    ),
    Query(
        "older",
        "jax._src.errors.TracerArrayConversionError: The numpy.ndarray conversion method"
        " __array__() was called on the JAX Tracer object"
        " Traced<ShapedArray(float32[])>with<DynamicJaxprTrace(level=0/1)>",
        errors("tracerarrayconversionerror"),
        "dfm/tinygp#85",
    ),
    Query(
        "older",
        "TypeError: '<class 'jaxlib.xla_extension.ArrayImpl'>' object does not support item"
        " assignment. JAX arrays are immutable. Instead of ``x[idx] = y``, use"
        " ``x = x.at[idx].set(y)`` or another .at[] method:"
        " https://jax.readthedocs.io/en/latest/_autosummary/jax.numpy.ndarray.at.html",
        errors("jax-arrays-immutable"),
        "jax-ml/jax#24315 (the wording before it)",
    ),
    Query(
        "older",
        "ValueError: Reverse-mode differentiation does not work for lax.while_loop or"
        " lax.fori_loop. Try using lax.scan instead.",
        errors("while-loop-reverse-mode"),
        "jax-ml/jax#4106 (2020)",
    ),
    Query(
        "older",
        "RuntimeError: Trying to backward through the graph a second time, but the buffers have"
        " already been freed. Specify retain_graph=True when calling backward the first time.",
        errors("backward-second-time"),
        "pytorch/pytorch#30297 (2019)",
    ),
    Query(
        "older",
        "RuntimeError: one of the variables needed for gradient computation has been modified by"
        " an inplace operation: [torch.FloatTensor [5, 6]], which is output 0 of TBackward, is"
        " at version 2; expected version 1 instead.",
        errors("inplace-modification"),
        "NVlabs/FUNIT#23 (2021)",
    ),
    Query(
        "older",
        "RuntimeError: vmap: It looks like you're attempting to use a Tensor in some"
        " data-dependent control flow. We don't support that yet, please shout over at"
        " https://github.com/pytorch/functorch/issues/257 .",
        errors("torch-vmap-data-dependent"),
        "pytorch/functorch#257",
    ),
    Query(
        "older",
        "torch._dynamo.exc.UserError: Dynamic control flow is not supported at the moment."
        " Please use functorch.experimental.control_flow.cond to explicitly capture the control"
        " flow.",
        errors("torch-compile-data-dependent-branching"),
        "pytorch/pytorch#101255 (2023)",
    ),
    Query(
        "older",
        "torch._dynamo.exc.Unsupported: generic_jump TensorVariable()",
        errors("torch-compile-data-dependent-branching"),
        "pytorch/pytorch#93415 (2023)",
    ),
    Query(
        "older",
        "RuntimeError: One of the differentiated Tensors appears to not have been used in the"
        " graph. Set allow_unused=True if this is the desired behavior.",
        errors("differentiated-tensor-unused"),
        "pytorch/pytorch#73697",
    ),
    Query(
        "older",
        "RuntimeError: bool value of Tensor with more than one value is ambiguous",
        errors("ambiguous-boolean-tensor"),
        "the lowercase wording of PyTorch 1.x",
    ),
    Query(
        "older",
        "RuntimeError: Can't call numpy() on Variable that requires grad. Use var.detach().numpy()"
        " instead.",
        errors("numpy-requires-grad"),
        "the Variable wording of PyTorch 0.4",
    ),
    # -- Questions in plain words ----------------------------------------------------------------
    Query("question", "torch.where nan", (NAN_PAGE,), "the issue"),
    Query(
        "question",
        "torch.where produces nan gradient even though branch not selected",
        (NAN_PAGE,),
        "pytorch/pytorch#156212",
    ),
    Query(
        "question",
        "gradients through np.where when one of branches is nan",
        (NAN_PAGE,),
        "jax-ml/jax#347",
    ),
    Query(
        "question",
        "abs",
        (
            KINKS_PAGE,
            "guide/framework_differences.html",
            CUSTOM_RULES_PAGE + "#abs-with-a-sign-rule",
        ),
        "the issue",
    ),
    Query("question", "subgradient", (KINKS_PAGE, "guide/framework_differences.html"), "the issue"),
    Query("question", "reparameterization", (RANDOM_PAGE, EXPECTATIONS_PAGE), "the issue"),
    Query("question", "gradient of relu at zero", (KINKS_PAGE, "guide/framework_differences.html")),
    Query("question", "gumbel softmax", (RANDOM_PAGE,)),
    Query("question", "straight through estimator", (SURROGATES_PAGE, "guide/best_practices.html")),
    Query(
        "question",
        "how do I differentiate through a while loop in jax",
        (JAX_LOOPS_PAGE, ERRORS + "while-loop-reverse-mode"),
    ),
    Query(
        "question",
        "python if statement inside jax.jit",
        (JIT_PAGE, "guide/compilers.html", ERRORS + "tracerboolconversionerror"),
    ),
    Query(
        "question",
        "does autograd work with python for loops",
        ("guide/control_flow.html", EXAMPLES + "control_flow/plot_loops.html"),
    ),
    Query(
        "question",
        "parameter grad is None after backward",
        (EXAMPLES + "control_flow/plot_none_versus_zero_gradients.html",),
    ),
    Query(
        "question",
        "graph break torch.compile",
        (EXAMPLES + "compilers/plot_torch_compile_branches.html",),
    ),
    Query(
        "question",
        "implicit differentiation of newton's method",
        (EXAMPLES + "compilers/plot_newton_implicit_gradient.html",),
    ),
    Query(
        "question", "gradient checkpointing memory", (EXAMPLES + "scale/plot_checkpointing.html",)
    ),
    Query(
        "question",
        "why do pytorch and jax give different gradients",
        ("guide/framework_differences.html",),
    ),
    Query("question", "REINFORCE baseline", (RANDOM_PAGE,)),
    Query(
        "question",
        "how do I use a boolean mask x[mask] inside jax.jit",
        errors("nonconcretebooleanindexerror"),
    ),
    Query(
        "question",
        "why can't I pass a list or a numpy array as a static argument to jax.jit",
        errors("non-hashable-static-arguments"),
    ),
    Query(
        "question",
        "if statement on a boolean flag fails inside jax.checkpoint even without jit",
        errors("jax-checkpoint-static-argument"),
    ),
    Query(
        "question",
        "recursive function with lax.cond as base case never terminates in jax",
        errors("recursion-through-lax-cond"),
    ),
    Query(
        "question",
        "jax.hessian fails on a function with a custom_vjp rule, how do I get forward mode",
        errors("custom-vjp-forward-mode"),
    ),
    Query(
        "question",
        "jax_debug_nans stops with invalid value encountered in mul, which operation made the NaN"
        " in my gradient",
        errors("debug-nans-invalid-value"),
    ),
    Query(
        "question",
        "how do I find which primitive makes a NaN inside a jitted JAX gradient",
        errors("checkify-nan-generated"),
    ),
    Query(
        "question",
        "checkify float_checks reports division by zero although my function never divides",
        errors("checkify-division-by-zero"),
    ),
    Query(
        "question",
        "detect_anomaly says SqrtBackward0 returned nan values, where does the NaN come from",
        errors("anomaly-returned-nan"),
    ),
    Query(
        "question",
        "torch.compile fullgraph fails on an if on the number of elements a boolean mask selects",
        errors("torch-compile-data-dependent-size"),
    ),
    Query(
        "question",
        "torch.compile fullgraph fails when I branch on x.item()",
        errors("torch-compile-item-branch"),
    ),
    Query(
        "question",
        "torch.compile keeps recompiling for every value of a string argument and hits the limit",
        errors("torch-recompile-limit"),
    ),
    Query(
        "question",
        "torch.export fails on an if statement that checks a tensor value, how do I export it",
        errors("torch-export-data-dependent-guard"),
    ),
    Query(
        "question",
        "torch.func.grad of a scan loop raises an error about a higher order operator",
        errors("torch-scan-func-grad"),
    ),
    Query(
        "question",
        "my custom torch.autograd.Function works with loss.backward() but fails under"
        " torch.func.grad or vmap",
        errors("function-setup-context"),
    ),
    Query(
        "question",
        "torch.func.jvp on my autograd.Function says I must implement the jvp function",
        errors("function-forward-mode-jvp"),
    ),
    Query(
        "question",
        "how do I make a custom autograd.Function work with torch.func.vmap",
        errors("function-vmap-support"),
    ),
    Query(
        "question",
        "why is my reparameterization gradient zero for an indicator function",
        (EXPECTATIONS_PAGE,),
    ),
    Query(
        "question",
        "rsample vs REINFORCE variance which gradient estimator is better",
        (EXPECTATIONS_PAGE,),
    ),
    Query(
        "question",
        "why does memory grow every iteration when I do total_loss += loss",
        (MEMORY_PAGE,),
    ),
    Query(
        "question",
        "torch.while_loop gradient wrong",
        ("guide/compilers.html", "summary.html"),
    ),
    Query(
        "question",
        "custom_jvp custom_vjp autograd.Function which transformations work",
        ("guide/expert_tools.html", CUSTOM_RULES_PAGE),
    ),
    Query(
        "question",
        "how do I find which operation produces a nan gradient",
        (NAN_SOURCES_PAGE, "guide/expert_tools.html"),
    ),
    Query(
        "question",
        "implicit differentiation of a fixed point iteration",
        (IMPLICIT_PAGE, NEWTON_PAGE),
    ),
]


def is_hit(href: str, site_url: str, expected: tuple[str, ...], page_only=False) -> bool:
    """Whether a result link (absolute, as the browser resolved it) is one of ``expected``;
    with ``page_only``, any section of an expected page will do."""
    parsed = urlparse(href)
    path = parsed.path.removeprefix(urlparse(site_url).path)
    for target in expected:
        page, _, anchor = target.partition("#")
        if path == page and (page_only or not anchor or parsed.fragment == anchor):
            return True
    return False


RESULT_LINKS = "as => as.map(a => a.href)"
FINISHED = """() => {
    const status = document.querySelector('#search-results p.search-summary');
    return status !== null && status.innerText.length > 0;
}"""
# What the search page does with ?q=...: Search.init calls Search.performSearch(query). Running
# it again in the open page skips reloading the page and its index for every query.
SEARCH_AGAIN = """text => {
    document.getElementById('search-results').replaceChildren();
    Search.performSearch(text);
}"""


def search(page, site_url: str, text: str) -> list[str]:
    """The result links of the site's own search page for ``text``, best first."""
    if not page.url.startswith(f"{site_url}search.html"):
        page.goto(f"{site_url}search.html?q={quote(text)}", wait_until="load")
    else:
        page.evaluate(SEARCH_AGAIN, text)
    page.wait_for_function(FINISHED, timeout=20_000)
    return page.eval_on_selector_all("#search-results ul.search li > a", RESULT_LINKS)


@dataclass
class Outcome:
    query: Query
    rank: int | None  # 1-based rank of the first expected result, None if not in the results
    page_rank: int | None  # the same, where any section of an expected page counts
    top: list[str]


def first_hit(links: list[str], site_url: str, query: Query, page_only=False) -> int | None:
    hits = (
        n for n, href in enumerate(links, 1) if is_hit(href, site_url, query.expected, page_only)
    )
    return next(hits, None)


def outcome(query: Query, links: list[str], site_url: str) -> Outcome:
    rank, page_rank = (first_hit(links, site_url, query, flag) for flag in (False, True))
    return Outcome(query, rank, page_rank, links[:TOP])


def run(page, site_url: str, queries=QUERIES) -> list[Outcome]:
    return [outcome(query, search(page, site_url, query.text), site_url) for query in queries]


def rate(outcomes: list[Outcome], within: int, page_only=False) -> float:
    ranks = [o.page_rank if page_only else o.rank for o in outcomes]
    return sum(rank is not None and rank <= within for rank in ranks) / len(outcomes)


def report(outcomes: list[Outcome]) -> str:
    lines = [
        "                        section or page      page",
        "                        top-1   top-3    top-1   top-3",
    ]
    groups = [(kind, [o for o in outcomes if o.query.kind == kind]) for kind in KINDS]
    for kind, group in [*groups, ("all", outcomes)]:
        lines.append(
            f"{kind:9s} {len(group):3d} queries  {rate(group, 1):6.1%}  {rate(group, TOP):6.1%}"
            f"   {rate(group, 1, True):6.1%}  {rate(group, TOP, True):6.1%}"
        )
    for outcome in outcomes:
        if outcome.rank is None or outcome.rank > TOP:
            shown = outcome.query.text.replace("\n", " ")[:90]
            lines.append(f"  missed (rank {outcome.rank}): {shown!r} -> {outcome.top}")
    return "\n".join(lines)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(html_folder: str) -> None:
    """Serve a built site on localhost, run the benchmark in Chromium, print the table."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(Path(html_folder).resolve()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site_url = f"http://127.0.0.1:{server.server_port}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        print(report(run(page, site_url)))
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
