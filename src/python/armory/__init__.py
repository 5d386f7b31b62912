"""armory: fast GEMM for NumPy arrays on Arm and x86 servers, plus the machine checks of `armory doctor`.

    import armory, numpy as np
    c = armory.matmul(a, b)                  # a @ b, arrays read in place, the GIL released
    c = armory.matmul(a, b, fpmath="bf16")   # float32 with bf16 products, float32 accumulation
    armory.show_config()
    sess = armory.InferenceSession("model.onnx", fpmath="bf16")  # onnxruntime-style
    logits, = sess.run(None, {"input": images})
"""
import operator as _operator
import os as _os
import warnings as _warnings

import numpy as _np

from . import _armory
from ._armory import __version__, config, cpu_info, doctor, get_num_threads

__all__ = ["__version__", "InferenceSession", "NodeArg", "config", "cpu_info", "doctor", "get_num_threads",
           "matmul", "set_num_threads", "show_config", "svd"]

_ONNX_TYPES = {_np.dtype(_np.float32): "tensor(float)", _np.dtype(_np.int64): "tensor(int64)",
               _np.dtype(_np.bool_): "tensor(bool)"}


def _count(name, value, least):
    """An integer argument for the C++ core (a C int): wrong types and sizes get an error naming the argument,
    not pybind11's signature listing, and 2.7 is refused rather than truncated."""
    try:
        value = _operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None
    if not least <= value <= 2**31 - 1:
        raise ValueError(f"{name} must be between {least} and {2**31 - 1}, got {value}")
    return value


def set_num_threads(threads):
    """Threads armory's products use: >= 1, capped at the CPUs this process may run on."""
    _armory.set_num_threads(_count("threads", threads, 1))


class NodeArg:
    """A model input or output as onnxruntime describes it: name, shape (ints, or the symbolic name or None
    of a free dimension) and type ("tensor(float)"); dtype is the numpy dtype."""

    def __init__(self, name, shape, dtype):
        self.name, self.shape, self.dtype = name, shape, _np.dtype(dtype)
        self.type = _ONNX_TYPES[self.dtype]

    def __repr__(self):
        return f"NodeArg(name={self.name!r}, type={self.type!r}, shape={self.shape!r})"


_CPU_PROVIDER = "CPUExecutionProvider"


def _check_providers(providers, provider_options):
    """onnxruntime's providers argument, for code written for it. armory's engine is what runs the model, on
    the CPU: other providers are not used, with a warning, as onnxruntime warns of providers it lacks (code
    often asks for ["CUDAExecutionProvider", "CPUExecutionProvider"] to take a GPU where there is one)."""
    if providers is None:
        return
    if isinstance(providers, str):
        raise TypeError(f"providers must be a list of provider names, got str {providers!r}: use [{providers!r}]")
    names = [p[0] if isinstance(p, tuple) else p for p in providers]
    others = [n for n in names if n != _CPU_PROVIDER]
    if others:
        _warnings.warn(f"armory runs models on the CPU with its own engine; {others} not used", stacklevel=3)
    options = list(provider_options or []) + [p[1] for p in providers if isinstance(p, tuple)]
    if any(options):
        _warnings.warn(f"armory takes no provider options; {[o for o in options if o]} not used (threads= and "
                       "fpmath= are its settings)", stacklevel=3)


class InferenceSession:
    """An ONNX model loaded and optimised once by armory's engine (BatchNorm folded, conv + bias + ReLU and
    residual adds fused, weights packed), run like onnxruntime's session:

        sess = armory.InferenceSession("resnet50.onnx", threads=2, fpmath="bf16")
        (logits,) = sess.run(None, {sess.get_inputs()[0].name: images})

    The model is a path or, as onnxruntime also takes it, the serialised model itself (bytes, e.g.
    onnx_model.SerializeToString()). fpmath="bf16" multiplies in bf16 and accumulates in float32. run()
    releases the GIL; one session may be run from several Python threads at once. C-contiguous
    float32/int64 inputs are read in place; outputs own their memory. winograd=False runs every convolution
    directly (3x3 stride-1 ones otherwise use Winograd F(2x2, 3x3) or F(4x4, 3x3) where it pays: fewer
    multiplies, results that differ in the last bits).

    Code written for onnxruntime runs unchanged: sess_options is read for its intra_op_num_threads (threads,
    0 the default) and graph_optimization_level (ORT_DISABLE_ALL: optimize=False), its other settings do not
    apply; armory's engine runs the model on the CPU, so other providers and provider options are not used
    (a warning says so, as onnxruntime warns of providers it lacks)."""

    def __init__(self, path_or_bytes, sess_options=None, providers=None, provider_options=None, *, threads=None,
                 fpmath="strict", optimize=True, winograd=True):
        # A path (str or os.PathLike), or the serialised model itself (bytes-like), as onnxruntime takes.
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            model = bytes(path_or_bytes)
        elif isinstance(path_or_bytes, (str, _os.PathLike)):
            model = _os.fspath(path_or_bytes)
            if isinstance(model, bytes):  # a bytes path (os.PathLike may give one)
                model = _os.fsdecode(model)
        else:
            raise TypeError("InferenceSession takes a model's path (str or os.PathLike) or its bytes, got "
                            f"{type(path_or_bytes).__name__}")
        _check_providers(providers, provider_options)
        if sess_options is not None:
            if threads is None:
                threads = getattr(sess_options, "intra_op_num_threads", 0)
            level = getattr(sess_options, "graph_optimization_level", None)
            if level is not None and int(level) == 0:  # GraphOptimizationLevel.ORT_DISABLE_ALL
                optimize = False
        self._session = _armory._Session(model, 0 if threads is None else _count("threads", threads, 0), fpmath,
                                         optimize, bool(winograd))
        self._inputs = [NodeArg(*i) for i in self._session.inputs()]
        self._outputs = [NodeArg(*o) for o in self._session.outputs()]

    def get_inputs(self):
        return list(self._inputs)

    def get_providers(self):
        """The providers the session runs on, as onnxruntime lists them: armory's engine on the CPU."""
        return [_CPU_PROVIDER]

    def get_provider_options(self):
        return {_CPU_PROVIDER: {}}

    def get_outputs(self):
        return list(self._outputs)

    def run(self, output_names, input_feed, run_options=None):
        """Returns the outputs named in output_names (None: all) as a list of numpy arrays."""
        if not isinstance(input_feed, dict):
            raise TypeError("input_feed must be a dict of input name -> array")
        if isinstance(output_names, (str, bytes)):  # a str would be taken as one name per character
            raise TypeError(f"output_names must be a list of names or None, got {type(output_names).__name__} "
                            f"{output_names!r}: use [{output_names!r}]")
        names = None if output_names is None else [str(n) for n in output_names]
        return self._session.run(names, input_feed)

    def dump_graph(self):
        """The optimised graph as text, one node per line (what `armory run --dump-graph` prints)."""
        return self._session.dump_graph()

    def profile(self, input_feed, runs=10):
        """Where the time goes (what `armory run --profile` prints): one dict per node of the optimised graph,
        slowest first, with node, op, detail (shape, fused parts, bf16, winograd) and seconds, the mean per run
        over `runs` runs after a warm-up run."""
        if not isinstance(input_feed, dict):
            raise TypeError("input_feed must be a dict of input name -> array")
        return [{"node": n, "op": o, "detail": d, "seconds": t}
                for n, o, d, t in self._session.profile(input_feed, _count("runs", runs, 1))]


def matmul(a, b, *, out=None, fpmath="strict"):
    """a @ b for float32 or float64 arrays (1-D or 2-D, numpy.matmul's rules), computed by armory's GEMM with
    the GIL released. Arrays are read in place, C- or F-ordered or transposed views (one unit stride each);
    other array-likes (lists, scalars) are converted as numpy would. out: a C- or F-contiguous array of the
    result's shape and dtype to write into (its memory may overlap a or b). fpmath="bf16" rounds float32
    inputs to bf16 and accumulates in float32."""
    if out is not None and not isinstance(out, _np.ndarray):
        raise TypeError(f"out must be a numpy array, got {type(out).__name__}")
    return _armory.matmul(a if isinstance(a, _np.ndarray) else _np.asarray(a),
                          b if isinstance(b, _np.ndarray) else _np.asarray(b), out=out, fpmath=fpmath)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Singular value decomposition with numpy.linalg.svd's contract: returns (u, s, vh), or s when
    compute_uv is False; a stack of matrices (..., M, N) is decomposed in one call, small matrices shared
    among armory's threads. Real float32 and float64 (other real types as float64). NaN or Inf raises
    numpy.linalg.LinAlgError.
    hermitian is numpy's hint that a is symmetric: accepted so that code written for numpy runs, and such a
    matrix is decomposed like any other (numpy itself then reads only its lower triangle)."""
    del hermitian
    a = _np.asarray(a)
    if a.ndim < 2:
        raise _np.linalg.LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least two-dimensional")
    return _armory.svd(a, full_matrices, compute_uv)


def show_config():
    """Print what was built and what armory dispatches on this machine now (like numpy.show_config)."""
    c = config()
    cpu = cpu_info()
    print(f"armory {c['version']} (commit {c['git_commit']}, {c['build_type']}, {c['target_arch']})")
    print(f"  cpu: {cpu['model_name']} ({cpu['uarch']}), {cpu['usable_cores']} usable cores")
    print(f"  features: {' '.join(cpu['features']) or 'none'}")
    print(f"  dispatched isa: {c['isa']}, threads: {c['threads']}")
    for line in c["gemm"].splitlines():
        print(f"  {line}")
