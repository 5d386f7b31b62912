#!/usr/bin/env python3
"""ResNet50 (torchvision, random weights with a fixed seed, exported to ONNX here) run by armory's engine
and by PyTorch 1.13 at its best on CPU (TorchScript traced and frozen, channels_last; for BF16,
torch.cpu.amp.autocast; tcmalloc as the allocator), in the same run: batch 1 and 16, threads 1 and 2,
--repeat rounds in which armory and PyTorch, fp32 and BF16, each run once in turn; ratios of the medians.

    PYTHONPATH=build/native/python /usr/bin/python3 bench/resnet50.py [--model resnet50] [--batch 1 16]
        [--threads 1 2] [--repeat 7] [--json out.json] [--allocator tcmalloc|glibc]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# armory bench's PyTorch peer, whose tcmalloc re-execution this script shares.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "bench"))
from python_peer import TCMALLOC, run_under_tcmalloc  # noqa: E402

# With 2 threads PyTorch leaves threads spinning after an inference (its fp32 Linear runs on OpenBLAS, whose
# idle threads spin ~0.13 s): each timed call then waits the long pause, or armory's next call shares a core
# with them (batch 1 at 2 threads ran at half speed in 5 of 7 rounds with 50 ms). With 1 thread nothing
# spins, and the short pause keeps this guest's caches from going cold (bench/timing.py's pause_for).

GFLOP_PER_IMAGE = {"resnet50": 8.2, "resnet18": 3.6, "mobilenet_v2": 0.6}  # multiply-add counted as 2


ARMORY_CHILD = """
import sys, numpy as np, armory
path, threads, fpmath, batch = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
session = armory.InferenceSession(path, threads=threads, fpmath=fpmath)
x = np.random.default_rng(0).standard_normal((batch, 3, 224, 224), dtype=np.float32)
for _ in range(3):
    session.run(None, {"input": x})
print(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
"""

TORCH_CHILD = """
import sys, torch
path, threads, fpmath, batch = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
torch.set_num_threads(threads)
model = torch.jit.load(path)
x = torch.randn(batch, 3, 224, 224).contiguous(memory_format=torch.channels_last)
with torch.no_grad(), torch.cpu.amp.autocast(enabled=fpmath == "bf16", dtype=torch.bfloat16):
    for _ in range(3):
        model(x)
print(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
"""


def peak_rss_mib(code, *args):
    """Peak resident memory of a fresh interpreter running code (import, load, three inferences), as its
    VmHWM: getrusage's maxrss would include this big parent process, which the child was forked from."""
    result = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"memory probe failed: {result.stderr[-500:]}")
    return int(result.stdout.split()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak memory comparison")
    parser.add_argument("--allocator", choices=("tcmalloc", "glibc"), default="tcmalloc",
                        help="the process's malloc (tcmalloc: PyTorch at its best, see main)")
    args = parser.parse_args()
    # PyTorch's CPU performance guides recommend a caching allocator: glibc's malloc gives each large
    # activation back to the kernel when it is freed, and the next inference faults it in and zero-fills it
    # again. Measured here at batch 16 with glibc's malloc, PyTorch ran 1.6-2.3x slower than with tcmalloc
    # (BF16 at 2 threads 420-700 ms against 240-270; fp32 at 1 thread 2140 against 950), and slower or not
    # from one process to the next, as malloc's adaptive mmap threshold happened to settle. armory keeps its
    # activation memory in its own arenas and runs the same under either allocator.
    if args.allocator == "tcmalloc" and not run_under_tcmalloc():
        sys.exit(f"{TCMALLOC} is not installed (scripts/install-deps.sh installs libtcmalloc-minimal4); without it "
                 "PyTorch runs slower than its best: pass --allocator glibc to measure it so anyway")
    print(f"allocator: {args.allocator}")
    # Imported only now: the re-executed process is the one that measures.
    import numpy as np
    import torch
    import torchvision

    import armory
    from timing import pause_for, summary, timed_rounds  # bench/timing.py, beside this script

    torch.manual_seed(0)
    model = getattr(torchvision.models, args.model)(weights=None).eval()
    # Removed when the script ends, however it ends (the model is 100 MB).
    work = tempfile.TemporaryDirectory(prefix="armory-bench-")
    onnx_path = os.path.join(work.name, f"{args.model}.onnx")
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), onnx_path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    start = time.perf_counter()
    armory.InferenceSession(onnx_path)
    load_seconds = time.perf_counter() - start
    print(f"{args.model}: armory load + optimise {load_seconds * 1000:.0f} ms")

    # Without bf16 instructions PyTorch emulates autocast's bf16 (50x its fp32 on a Zen 3): not timed.
    torch_has_bf16 = armory.cpu_info()["bf16_arithmetic"]
    results = []
    print(f"{'batch':>5} {'thr':>3} {'precision':>9} {'armory ms':>10} {'pytorch ms':>10} {'ratio':>6} {'armory GFLOPS':>13}")
    for threads in args.threads:
        torch.set_num_threads(threads)
        sessions = {fp: armory.InferenceSession(onnx_path, threads=threads, fpmath=fp) for fp in ("strict", "bf16")}
        for batch in args.batch:
            x = np.random.default_rng(batch).standard_normal((batch, 3, 224, 224), dtype=np.float32)
            xt = torch.from_numpy(x).contiguous(memory_format=torch.channels_last)
            with torch.no_grad():
                traced = torch.jit.freeze(torch.jit.trace(model.to(memory_format=torch.channels_last), xt))
                if torch_has_bf16:
                    with torch.cpu.amp.autocast(dtype=torch.bfloat16):
                        traced_bf16 = torch.jit.freeze(torch.jit.trace(model, xt, check_trace=False))

            def torch_fp32():
                with torch.no_grad():
                    traced(xt)

            def torch_bf16():
                with torch.no_grad(), torch.cpu.amp.autocast(dtype=torch.bfloat16):
                    traced_bf16(xt)

            # All four in each round, so that armory's BF16 / fp32 ratio is measured as evenly as each
            # ratio to PyTorch.
            fns = (lambda: sessions["strict"].run(None, {"input": x}), torch_fp32,
                   lambda: sessions["bf16"].run(None, {"input": x})) + ((torch_bf16,) if torch_has_bf16 else ())
            samples = timed_rounds(fns, args.repeat, pause=pause_for(threads))
            fp32_ours, fp32_theirs, bf16_ours = samples[:3]
            bf16_theirs = samples[3] if torch_has_bf16 else None
            for precision, ours, theirs in (("fp32", fp32_ours, fp32_theirs), ("bf16", bf16_ours, bf16_theirs)):
                median = summary(ours)[0]
                gflops = GFLOP_PER_IMAGE.get(args.model, 0) * batch / median
                if theirs is None:
                    print(f"{batch:>5} {threads:>3} {precision:>9} {median * 1000:>10.1f} {'not timed':>10} {'':>6} "
                          f"{gflops:>13.0f}  (no bf16 instructions: PyTorch would emulate them)", flush=True)
                    results.append({"model": args.model, "batch": batch, "threads": threads, "precision": precision,
                                    "armory_seconds": summary(ours), "armory_samples": ours})
                    continue
                ratio = summary(theirs)[0] / median
                print(f"{batch:>5} {threads:>3} {precision:>9} {median * 1000:>10.1f} {summary(theirs)[0] * 1000:>10.1f} "
                      f"{ratio:>6.2f} {gflops:>13.0f}", flush=True)
                results.append({"model": args.model, "batch": batch, "threads": threads, "precision": precision,
                                "armory_seconds": summary(ours), "pytorch_seconds": summary(theirs), "ratio": ratio,
                                "armory_samples": ours, "pytorch_samples": theirs})
            bf16_speedup = summary(fp32_ours)[0] / summary(bf16_ours)[0]
            print(f"{batch:>5} {threads:>3} {'armory BF16 / fp32':>21} {bf16_speedup:.2f}x", flush=True)
            results.append({"model": args.model, "batch": batch, "threads": threads, "armory_bf16_speedup": bf16_speedup})
    memory = []
    if not args.no_memory:
        # Each side in its own fresh interpreter: import, load its model, run three batches.
        print(f"\npeak memory (MiB, fresh process: import, load, 3 runs at batch {max(args.batch)}):")
        with torch.no_grad():
            x = torch.randn(1, 3, 224, 224).contiguous(memory_format=torch.channels_last)
            frozen = torch.jit.freeze(torch.jit.trace(model.to(memory_format=torch.channels_last), x))
        torch_path = os.path.join(work.name, f"{args.model}.pt")
        torch.jit.save(frozen, torch_path)
        for precision, fp in (("fp32", "strict"), ("bf16", "bf16")):
            ours = peak_rss_mib(ARMORY_CHILD, onnx_path, 1, fp, max(args.batch))
            theirs = peak_rss_mib(TORCH_CHILD, torch_path, 1, fp, max(args.batch))
            print(f"  {precision}: armory {ours:.0f}, pytorch {theirs:.0f}")
            memory.append({"precision": precision, "armory_mib": ours, "pytorch_mib": theirs})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"allocator": args.allocator, "load_seconds": load_seconds, "results": results,
                       "peak_memory": memory}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
