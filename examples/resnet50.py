#!/usr/bin/env python3
"""Run torchvision's ResNet50 with armory, in fp32 and in BF16 fast math, beside PyTorch.

    PYTHONPATH=build/native/python /usr/bin/python3 examples/resnet50.py [--batch 1] [--threads 2]

Nothing is downloaded: the model gets random weights from a fixed seed, is exported to ONNX (the format
PyTorch and TensorFlow both export), loaded by armory.InferenceSession (BatchNorm folded, conv + bias +
ReLU and residual adds fused into the GEMM, weights packed once) and run like an onnxruntime session.
bench/resnet50.py is the full comparison (batch 1 and 16, threads 1 and 2, peak memory).
"""
import argparse
import pathlib
import tempfile
import time

import numpy as np
import torch
import torchvision

import armory


def median_ms(fn, runs=10):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * sorted(times)[runs // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=armory.get_num_threads())
    args = parser.parse_args()

    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    with tempfile.TemporaryDirectory(prefix="armory-example-") as work:
        run(model, pathlib.Path(work) / "resnet50.onnx", args)


def run(model, path, args):
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), str(path), input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)

    images = np.random.default_rng(0).standard_normal((args.batch, 3, 224, 224), dtype=np.float32)
    torch.set_num_threads(args.threads)
    with torch.no_grad():
        expected = model(torch.from_numpy(images)).numpy()
        x = torch.from_numpy(images).contiguous(memory_format=torch.channels_last)
        traced = torch.jit.freeze(torch.jit.trace(model.to(memory_format=torch.channels_last), x))
        pytorch_ms = median_ms(lambda: traced(x))
        # Without bf16 instructions PyTorch emulates bf16 (6.6 s an image on a Zen 3, 50x its fp32): not timed.
        pytorch_bf16_ms = None
        if armory.cpu_info()["bf16_arithmetic"]:
            with torch.cpu.amp.autocast(dtype=torch.bfloat16):
                traced_bf16 = torch.jit.freeze(torch.jit.trace(model, x, check_trace=False))
                pytorch_bf16_ms = median_ms(lambda: traced_bf16(x))

    print(f"ResNet50, batch {args.batch}, {args.threads} threads")
    for fpmath, theirs in (("strict", pytorch_ms), ("bf16", pytorch_bf16_ms)):
        session = armory.InferenceSession(path, threads=args.threads, fpmath=fpmath)
        feed = {session.get_inputs()[0].name: images}
        (logits,) = session.run(None, feed)
        ours = median_ms(lambda: session.run(None, feed))
        agree = (logits.argmax(1) == expected.argmax(1)).mean()
        error = np.abs(logits - expected).max() / np.abs(expected).max()
        pytorch = (f"PyTorch {theirs:6.1f} ms ({theirs / ours:.2f}x)" if theirs is not None
                   else "PyTorch not timed (no bf16 instructions on this CPU)")
        print(f"  {fpmath:>6}: armory {ours:6.1f} ms, {pytorch}; "
              f"top-1 agrees on {agree:.0%}, max relative difference {error:.1e}")


if __name__ == "__main__":
    main()
