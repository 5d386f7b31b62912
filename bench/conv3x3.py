#!/usr/bin/env python3
"""ResNet50's 3x3 stride-1 convolutions (with bias and ReLU) one at a time: armory's Winograd F(2x2, 3x3)
beside armory's direct (im2col GEMM) path and PyTorch's conv2d (channels_last, oneDNN), fp32 and BF16,
threads 1 and 2, calls alternating in rounds; medians.

    PYTHONPATH=build/native/python /usr/bin/python3 bench/conv3x3.py [--batch 16] [--threads 1 2] [--repeat 7]

armory runs a model of two such convs and times the second (`InferenceSession.profile`): its input
arrives channels-last (bf16 under BF16) from the first, as inside a network. PyTorch's conv2d gets a
channels_last tensor, bf16 tensors for BF16. GFLOPS count the direct convolution's multiply-adds (2 per).
"""
import argparse
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import pause_for, summary, timed_rounds  # noqa: E402

import armory  # noqa: E402

SHAPES = [(56, 64), (28, 128), (14, 256), (7, 512)]  # (height = width, channels): layer1 to layer4


def conv_model(path, channels, size):
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(channels)
    w = (rng.standard_normal((channels, channels, 3, 3)) / np.sqrt(9 * channels)).astype(np.float32)
    b = rng.standard_normal(channels).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c1"], pads=[1, 1, 1, 1], name="first"),
             helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("Conv", ["r1", "w", "b"], ["c2"], pads=[1, 1, 1, 1], name="second"),
             helper.make_node("Relu", ["c2"], ["y"])]
    graph = helper.make_graph(
        nodes, "conv3x3", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", channels, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", channels, size, size])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    import onnx
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return w, b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    print(f"batch {args.batch}; ms per call (median of {args.repeat}); GFLOPS of the direct convolution")
    print(f"{'shape':>14} {'thr':>3} {'prec':>4} {'winograd':>9} {'direct':>8} {'pytorch':>8} "
          f"{'direct/W':>8} {'torch/W':>8} {'W GFLOPS':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size, channels in SHAPES:
            path = os.path.join(tmp, f"conv{channels}.onnx")
            w, b = conv_model(path, channels, size)
            x = np.random.default_rng(1).standard_normal((args.batch, channels, size, size), dtype=np.float32)
            flops = 2.0 * args.batch * size * size * channels * channels * 9
            for threads in args.threads:
                for fpmath in ("strict", "bf16"):
                    winograd = armory.InferenceSession(path, threads=threads, fpmath=fpmath)
                    direct = armory.InferenceSession(path, threads=threads, fpmath=fpmath, winograd=False)
                    samples = [[], []]
                    for _ in range(args.repeat):  # alternating; each profile call warms up once first
                        for session, out in zip((winograd, direct), samples):
                            times = session.profile({"x": x}, runs=1)
                            out.append(next(n["seconds"] for n in times if n["node"] == "second"))
                    if torch is not None:
                        torch.set_num_threads(threads)
                        dtype = torch.bfloat16 if fpmath == "bf16" else torch.float32
                        tx = torch.from_numpy(x).to(dtype).contiguous(memory_format=torch.channels_last)
                        tw = torch.from_numpy(w).to(dtype).contiguous(memory_format=torch.channels_last)
                        tb = torch.from_numpy(b).to(dtype)

                        def torch_call(tx=tx, tw=tw, tb=tb):
                            with torch.no_grad():
                                return torch.relu(torch.nn.functional.conv2d(tx, tw, tb, padding=1))
                        samples += timed_rounds([torch_call], args.repeat, pause_for(threads))
                    ms = [summary(s)[0] * 1e3 for s in samples]
                    torch_ms = f"{ms[2]:8.2f}" if len(ms) > 2 else f"{'-':>8}"
                    torch_ratio = f"{ms[2] / ms[0]:8.2f}" if len(ms) > 2 else f"{'-':>8}"
                    print(f"{f'{size}x{size}x{channels}':>14} {threads:>3} {'bf16' if fpmath == 'bf16' else 'fp32':>4} "
                          f"{ms[0]:9.2f} {ms[1]:8.2f} {torch_ms} {ms[1] / ms[0]:8.2f} {torch_ratio} "
                          f"{flops / ms[0] / 1e6:8.0f}", flush=True)


if __name__ == "__main__":
    main()
