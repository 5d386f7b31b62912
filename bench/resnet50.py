#!/usr/bin/env python3
"""ResNet50 (torchvision, random weights with a fixed seed, exported to ONNX here) run by armory's engine
and by PyTorch 1.13 at its best on CPU (TorchScript traced and frozen, channels_last; for BF16,
torch.cpu.amp.autocast), in the same run: batch 1 and 16, threads 1 and 2, median of --repeat runs.

    PYTHONPATH=build/native/python /usr/bin/python3 bench/resnet50.py [--model resnet50] [--batch 1 16]
        [--threads 1 2] [--repeat 5] [--json out.json]
"""
import argparse
import json
import statistics
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision

import armory

GFLOP_PER_IMAGE = {"resnet50": 8.2, "resnet18": 3.6, "mobilenet_v2": 0.6}  # multiply-add counted as 2


def timed(fn, repeat):
    fn()  # warm-up: packs, caches, JIT
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    torch.manual_seed(0)
    model = getattr(torchvision.models, args.model)(weights=None).eval()
    onnx_path = tempfile.NamedTemporaryFile(suffix=".onnx", delete=False).name
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), onnx_path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    start = time.perf_counter()
    armory.InferenceSession(onnx_path)
    load_seconds = time.perf_counter() - start
    print(f"{args.model}: armory load + optimise {load_seconds * 1000:.0f} ms")

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
                with torch.cpu.amp.autocast(dtype=torch.bfloat16):
                    traced_bf16 = torch.jit.freeze(torch.jit.trace(model, xt, check_trace=False))
            for precision, session, peer in (("fp32", sessions["strict"], traced), ("bf16", sessions["bf16"], traced_bf16)):
                ours = timed(lambda: session.run(None, {"input": x}), args.repeat)

                def torch_run():
                    with torch.no_grad():
                        if precision == "bf16":
                            with torch.cpu.amp.autocast(dtype=torch.bfloat16):
                                peer(xt)
                        else:
                            peer(xt)
                theirs = timed(torch_run, args.repeat)
                gflops = GFLOP_PER_IMAGE.get(args.model, 0) * batch / ours[0]
                print(f"{batch:>5} {threads:>3} {precision:>9} {ours[0] * 1000:>10.1f} {theirs[0] * 1000:>10.1f} "
                      f"{theirs[0] / ours[0]:>6.2f} {gflops:>13.0f}", flush=True)
                results.append({"model": args.model, "batch": batch, "threads": threads, "precision": precision,
                                "armory_seconds": ours, "pytorch_seconds": theirs, "ratio": theirs[0] / ours[0]})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"load_seconds": load_seconds, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
