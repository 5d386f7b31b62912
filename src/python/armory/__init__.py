"""armory: fast GEMM for NumPy arrays on Arm and x86 servers, plus the machine checks of `armory doctor`.

    import armory, numpy as np
    c = armory.matmul(a, b)                  # a @ b, arrays read in place, the GIL released
    c = armory.matmul(a, b, fpmath="bf16")   # float32 with bf16 products, float32 accumulation
    armory.show_config()
"""
import numpy as _np

from . import _armory
from ._armory import __version__, config, cpu_info, doctor, get_num_threads, matmul, set_num_threads

__all__ = ["__version__", "config", "cpu_info", "doctor", "get_num_threads", "matmul", "set_num_threads",
           "show_config", "svd"]


def svd(a, full_matrices=True, compute_uv=True):
    """Singular value decomposition with numpy.linalg.svd's contract: returns (u, s, vh), or s when
    compute_uv is False; a stack of matrices (..., M, N) is decomposed matrix by matrix. Real float32 and
    float64 (other real types as float64). NaN or Inf raises numpy.linalg.LinAlgError."""
    a = _np.asarray(a)
    if a.ndim < 2:
        raise _np.linalg.LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least two-dimensional")
    if a.ndim == 2:
        return _armory.svd(a, full_matrices, compute_uv)
    results = [_armory.svd(m, full_matrices, compute_uv) for m in a.reshape((-1,) + a.shape[-2:])]
    if not compute_uv:
        return _np.stack(results).reshape(a.shape[:-2] + results[0].shape) if results else \
            _np.empty(a.shape[:-2] + (min(a.shape[-2:]),), dtype=_np.result_type(a.dtype, _np.float32))
    parts = list(zip(*results))
    return tuple(_np.stack(p).reshape(a.shape[:-2] + p[0].shape) for p in parts)


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
