#!/usr/bin/env python3
"""armory bench's Python peers: NumPy and PyTorch measured in their own interpreter (/usr/bin/python3), one
process per library and thread count, driven by `armory bench` over stdin/stdout, one JSON object per line.

    python_peer.py LIBRARY THREADS        LIBRARY: numpy | pytorch

First line out: {"ready": true, "version": ...} or {"missing": "why"}. Then, for each request line
({"suite": "gemm" | "svd" | "resnet50", "precision": ..., "m", "n", "k", "batch", "vectors", "repeat",
"model"}) one answer: {"median": s, "min": s, "max": s} (seconds per call) or {"error": "why"}. A request
{"export_resnet50": PATH} (pytorch) writes torchvision's ResNet50 with random weights (seed 0) as ONNX.
Timing is armory's: one warm-up call, then `repeat` samples of at least 20 ms of back-to-back calls.
The pytorch peer runs under tcmalloc when Debian's libtcmalloc-minimal4 is installed (its version then
says so): PyTorch's CPU guides recommend a caching allocator, and with glibc's malloc every inference
faults in and zero-fills its large activations again (1.6-2.3x slower at batch 16 here).
"""
import ctypes.util
import json
import math
import os
import sys
import time

TCMALLOC = "libtcmalloc_minimal.so.4"


def tcmalloc_preloaded():
    return TCMALLOC in os.environ.get("LD_PRELOAD", "").split()


def run_under_tcmalloc():
    """Re-executes this script once with tcmalloc preloaded, if it is installed (stdin, stdout and the
    environment carry over, so children inherit it). Returns whether it is preloaded: False when tcmalloc is
    not installed. Also used by bench/resnet50.py."""
    if tcmalloc_preloaded():
        return True
    if ctypes.util.find_library("tcmalloc_minimal") is None:
        return False
    os.environ["LD_PRELOAD"] = " ".join(filter(None, [os.environ.get("LD_PRELOAD", ""), TCMALLOC]))
    os.execv(sys.executable, [sys.executable, *sys.argv])


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def time_calls(call, repeat, min_sample=0.02):
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-7)
    inner = 1 if once >= min_sample else math.ceil(min_sample / once)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            call()
        samples.append((time.perf_counter() - start) / inner)
    samples.sort()
    return {"median": samples[len(samples) // 2], "min": samples[0], "max": samples[-1]}


class NumpyPeer:
    def __init__(self, threads):
        import numpy
        self.np = numpy
        self.version = numpy.__version__
        self.rng = numpy.random.default_rng(1)

    def dtype(self, precision):
        if precision not in ("f32", "f64"):
            raise NotImplementedError(f"numpy has no {precision} product")
        return self.np.float32 if precision == "f32" else self.np.float64

    def gemm(self, r):
        dt = self.dtype(r["precision"])
        a = self.rng.standard_normal((r["m"], r["k"])).astype(dt)
        b = self.rng.standard_normal((r["k"], r["n"])).astype(dt)
        c = self.np.empty((r["m"], r["n"]), dtype=dt)
        return time_calls(lambda: self.np.matmul(a, b, out=c), r["repeat"])

    def svd(self, r):
        a = self.rng.standard_normal((r["m"], r["n"])).astype(self.dtype(r["precision"]))
        return time_calls(lambda: self.np.linalg.svd(a, full_matrices=False, compute_uv=r["vectors"]), r["repeat"])


class TorchPeer:
    def __init__(self, threads):
        import torch
        self.torch = torch
        torch.set_num_threads(threads)
        self.version = torch.__version__ + (" (tcmalloc)" if tcmalloc_preloaded() else "")
        self.models = {}

    def dtype(self, precision):
        if precision not in ("f32", "f64"):
            raise NotImplementedError(f"the pytorch peer measures f32 and f64 products")
        return self.torch.float32 if precision == "f32" else self.torch.float64

    def gemm(self, r):
        torch = self.torch
        torch.manual_seed(1)
        a = torch.randn(r["m"], r["k"], dtype=self.dtype(r["precision"]))
        b = torch.randn(r["k"], r["n"], dtype=self.dtype(r["precision"]))
        c = torch.empty(r["m"], r["n"], dtype=self.dtype(r["precision"]))
        return time_calls(lambda: torch.mm(a, b, out=c), r["repeat"])

    def svd(self, r):
        raise NotImplementedError("the svd suite compares with numpy")

    def resnet50_model(self):
        import torchvision
        self.torch.manual_seed(0)
        return torchvision.models.resnet50(weights=None).eval()

    def export_resnet50(self, path):
        self.torch.onnx.export(self.resnet50_model(), self.torch.randn(1, 3, 224, 224), path, input_names=["input"],
                               output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                               opset_version=13)
        return {"exported": path}

    def resnet50(self, r):
        # PyTorch at its best on CPU: traced and frozen, channels_last; BF16 through autocast (oneDNN).
        torch = self.torch
        bf16 = r["precision"] == "f32:bf16"
        x = torch.randn(r["batch"], 3, 224, 224).contiguous(memory_format=torch.channels_last)
        key = (bf16, r["batch"])
        if key not in self.models:
            model = self.resnet50_model().to(memory_format=torch.channels_last)
            with torch.no_grad(), torch.cpu.amp.autocast(enabled=bf16, dtype=torch.bfloat16):
                self.models[key] = torch.jit.freeze(torch.jit.trace(model, x, check_trace=False))
        model = self.models[key]

        def call():
            with torch.no_grad(), torch.cpu.amp.autocast(enabled=bf16, dtype=torch.bfloat16):
                model(x)
        return time_calls(call, r["repeat"])


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("numpy", "pytorch"):
        print(__doc__, file=sys.stderr)
        return 2
    threads = int(sys.argv[2])
    if sys.argv[1] == "pytorch":
        run_under_tcmalloc()
    try:
        peer = (NumpyPeer if sys.argv[1] == "numpy" else TorchPeer)(threads)
    except Exception as e:  # not installed, or broken: the runner reports and skips it
        emit({"missing": f"{type(e).__name__}: {e}"})
        return 0
    emit({"ready": True, "version": peer.version})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            if "export_resnet50" in request:
                emit(peer.export_resnet50(request["export_resnet50"]))
                continue
            emit(getattr(peer, request["suite"])(request))
        except NotImplementedError as e:
            emit({"unsupported": str(e)})
        except Exception as e:
            emit({"error": f"{type(e).__name__}: {e}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
