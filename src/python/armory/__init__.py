"""armory: fast GEMM for NumPy arrays on Arm and x86 servers, plus the machine checks of `armory doctor`.

    import armory, numpy as np
    c = armory.matmul(a, b)                  # a @ b, arrays read in place, the GIL released
    c = armory.matmul(a, b, fpmath="bf16")   # float32 with bf16 products, float32 accumulation
    armory.show_config()
"""
from ._armory import __version__, config, cpu_info, doctor, get_num_threads, matmul, set_num_threads

__all__ = ["__version__", "config", "cpu_info", "doctor", "get_num_threads", "matmul", "set_num_threads",
           "show_config"]


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
