"""armory.InferenceSession beside PyTorch: torchvision models with random weights (fixed seeds, nothing
downloaded) exported to ONNX inside the test, then run by both on the same inputs. Also the onnxruntime-style
API, error paths, the GIL, thread safety, external data, and docs/ONNX_SUPPORT.md being current."""
import copy
import os
import pathlib
import re
import subprocess
import sys
import threading
import time
import types

import numpy as np
import pytest

import armory

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
onnx = pytest.importorskip("onnx")

REPO = pathlib.Path(__file__).resolve().parents[2]


def export(model_name, directory):
    """torchvision's model with random weights (seed 0) as ONNX with a free batch: (model, path)."""
    torch.manual_seed(0)
    model = getattr(torchvision.models, model_name)(weights=None).eval()
    path = directory / f"{model_name}.onnx"
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), str(path), input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    return model, path


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    directory = tmp_path_factory.mktemp("models")
    torch.set_num_threads(2)
    return {name: export(name, directory) for name in ("resnet50", "resnet18", "mobilenet_v2")}


def images(count, seed):
    return np.random.default_rng(seed).standard_normal((count, 3, 224, 224), dtype=np.float32)


def reference(model, x):
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


@pytest.mark.parametrize("name", ["resnet50", "resnet18", "mobilenet_v2"])
def test_fp32_matches_pytorch(models, name):
    model, path = models[name]
    session = armory.InferenceSession(path)
    x = images(4, 1)
    (got,) = session.run(None, {"input": x})
    want = reference(model, x)
    assert got.shape == want.shape == (4, 1000)
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


def frozen_reference(model, batches):
    """PyTorch's fp32 outputs through its fastest CPU path (TorchScript traced and frozen, channels_last):
    eager mode took 0.3 s an image for ResNet50, two thirds of this file's time in CI."""
    with torch.no_grad():
        model = copy.deepcopy(model).to(memory_format=torch.channels_last)
        inputs = [torch.from_numpy(x).contiguous(memory_format=torch.channels_last) for x in batches]
        frozen = torch.jit.freeze(torch.jit.trace(model, inputs[0][:1]))
        return np.concatenate([frozen(x).numpy() for x in inputs])


@pytest.mark.parametrize("name", ["resnet50", "resnet18", "mobilenet_v2"])
def test_bf16_agrees_with_pytorch_fp32(models, name):
    model, path = models[name]
    session = armory.InferenceSession(path, fpmath="bf16")
    batches = np.split(images(200, 2), 8)
    got = np.concatenate([session.run(None, {"input": x})[0] for x in batches])
    want = frozen_reference(model, batches)
    assert got.shape == want.shape == (200, 1000)
    cosine = (got * want).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    assert cosine.min() >= 0.999
    assert (got.argmax(1) == want.argmax(1)).mean() >= 0.99
    # bf16 really changes the products: the result is close to fp32, not equal to it.
    assert np.abs(got - want).max() > 0


# More of torchvision's classifiers, for their operators: grouped and depthwise convs, concats, channel
# shuffles (Reshape/Transpose chains), squeeze-and-excitation (Sigmoid, Mul), LayerNorm written as
# ReduceMean/Pow/Sqrt, GELU (Erf), ceil-mode pools, and Swin's shifted-window masks (Range, Mod, Equal,
# Where, Expand, ScatterND, bool tensors), and MaxViT's attention written as Einsum.
@pytest.mark.parametrize("name", ["squeezenet1_0", "googlenet", "densenet121", "shufflenet_v2_x1_0", "efficientnet_b0",
                                  "mnasnet0_5", "regnet_y_400mf", "convnext_tiny", "mobilenet_v3_small", "swin_t",
                                  "maxvit_t"])
def test_more_torchvision_classifiers(name, tmp_path):
    model, path = export(name, tmp_path)
    x = images(2, 13)
    (got,) = armory.InferenceSession(path).run(None, {"input": x})
    want = reference(model, x)
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


def test_optimised_graph_is_fused_and_equivalent(models):
    _, path = models["resnet18"]
    optimised = armory.InferenceSession(path)
    plain = armory.InferenceSession(path, optimize=False)
    graph = optimised.dump_graph()
    # PyTorch's exporter folds BatchNorm itself; armory fuses the residual adds and ReLUs into the convs.
    assert "+Add +Relu" in graph and " +Relu]" in graph
    assert "\nRelu " not in graph and "\nAdd " not in graph
    assert "\nRelu " in plain.dump_graph()
    x = images(2, 3)
    (a,), (b,) = optimised.run(None, {"input": x}), plain.run(None, {"input": x})
    assert np.abs(a - b).max() <= 1e-4 * np.abs(b).max()


def test_winograd_convs_agree_with_direct_ones(models):
    """ResNet18's 3x3 stride-1 convs run as Winograd (F(4x4, 3x3) in fp32 up to 128 channels, else F(2x2, 3x3))
    by default and directly with winograd=False: the two agree to float32 and to bf16 precision, and really
    are different computations."""
    _, path = models["resnet18"]
    x = images(2, 5)
    for fpmath, tolerance in (("strict", 1e-5), ("bf16", 2e-2)):
        winograd = armory.InferenceSession(path, fpmath=fpmath)
        direct = armory.InferenceSession(path, fpmath=fpmath, winograd=False)
        assert " winograd" in winograd.dump_graph() and " winograd" not in direct.dump_graph()
        # 4x4 tiles for layer1's four 64x64 convs and layer2's three 128x128 ones, in float32 only.
        assert winograd.dump_graph().count("winograd 4x4") == (7 if fpmath == "strict" else 0)
        (a,), (b,) = winograd.run(None, {"input": x}), direct.run(None, {"input": x})
        assert 0 < np.abs(a - b).max() <= tolerance * np.abs(b).max(), fpmath
    nodes = winograd.profile({"input": x}, runs=1)
    assert nodes == sorted(nodes, key=lambda n: -n["seconds"]) and all(n["seconds"] > 0 for n in nodes)
    # ResNet18's 3x3 stride-1 convs: 4 in layer1, 3 in each of layer2-4 (their first conv1 has stride 2);
    # layer4's (512x512) stay direct, except on Zen 4 (conv.cpp, suits_winograd).
    layer4 = 3 if armory.cpu_info()["uarch"] == "zen4" else 0
    assert sum(n["op"] == "Conv" and "winograd" in n["detail"] for n in nodes) == 10 + layer4
    with pytest.raises(ValueError, match="runs"):
        winograd.profile({"input": x}, runs=0)


def test_batchnorm_folded_into_conv(tmp_path):
    """Conv -> BatchNormalization -> Add(residual) -> Relu, as exporters that keep BatchNorm write it."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(9)
    c = 8
    inits = {
        "w": rng.standard_normal((c, c, 3, 3)).astype(np.float32), "b": rng.standard_normal(c).astype(np.float32),
        "gamma": rng.uniform(0.5, 2, c).astype(np.float32), "beta": rng.standard_normal(c).astype(np.float32),
        "mean": rng.standard_normal(c).astype(np.float32), "var": rng.uniform(0.5, 2, c).astype(np.float32)}
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["conv"], pads=[1, 1, 1, 1]),
             helper.make_node("BatchNormalization", ["conv", "gamma", "beta", "mean", "var"], ["bn"], epsilon=1e-3),
             helper.make_node("Add", ["bn", "x"], ["sum"]),
             helper.make_node("Relu", ["sum"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", c, 5, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", c, 5, 5])],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    path = tmp_path / "conv_bn.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    optimised = armory.InferenceSession(path)
    plain = armory.InferenceSession(path, optimize=False)
    assert "Conv [3x3 p1,1,1,1 +BatchNorm +Add +Relu]" in optimised.dump_graph()
    assert "BatchNormalization" not in optimised.dump_graph() and "BatchNormalization" in plain.dump_graph()
    x = rng.standard_normal((2, c, 5, 5)).astype(np.float32)
    conv = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(inits["w"]), torch.from_numpy(inits["b"]),
                                      padding=1).numpy()
    scale = inits["gamma"] / np.sqrt(inits["var"] + 1e-3)
    want = np.maximum(0, (conv - inits["mean"][:, None, None]) * scale[:, None, None] + inits["beta"][:, None, None] + x)
    for session in (optimised, plain):
        (got,) = session.run(None, {"x": x})
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("opset", [10, 13])
def test_clip_fused_into_every_conv_path(tmp_path, opset):
    """Clip(0, hi) and Clip(-inf, hi) after a conv become its epilogue on each path a conv takes: Winograd (3x3,
    16 channels), the GEMM (1x1, fused tile epilogue and edges), depthwise, and a conv with a residual Add;
    the bounds as attributes (opset 10) or constant inputs (opset 13). Not fused: a lower bound other than 0
    or -inf, and a Clip reading a value something else reads too."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(31)
    c = 16
    # Weights scaled by 1/sqrt(fan-in), so activations stay near 1 (the clips cut) and a rounding difference at a
    # bound does not grow layer after layer.
    def weights(*shape):
        return (rng.standard_normal(shape) / np.sqrt(np.prod(shape[1:]))).astype(np.float32)
    inits = {"w3": weights(c, c, 3, 3), "b3": rng.standard_normal(c).astype(np.float32), "w1": weights(c, c, 1, 1),
             "wd": weights(c, 1, 3, 3), "w1b": weights(c, c, 1, 1), "w1c": weights(c, c, 1, 1)}
    bounds = {"relu6": (0.0, 6.0), "upper": (None, 0.5), "half": (0.0, 0.5), "shifted": (-1.0, 1.0), "shared": (0.0, 2.0)}
    nodes = []

    def clip(src, dst, kind):
        lo, hi = bounds[kind]
        if opset < 11:
            attrs = {"max": hi} if lo is None else {"min": lo, "max": hi}
            nodes.append(helper.make_node("Clip", [src], [dst], **attrs))
        else:
            inits[dst + "_lo"] = np.array(lo if lo is not None else 0, np.float32)
            inits[dst + "_hi"] = np.array(hi, np.float32)
            nodes.append(helper.make_node("Clip", [src, "" if lo is None else dst + "_lo", dst + "_hi"], [dst]))

    nodes.append(helper.make_node("Conv", ["x", "w3", "b3"], ["c3"], pads=[1, 1, 1, 1]))
    clip("c3", "y3", "half")                     # Winograd
    nodes.append(helper.make_node("Conv", ["y3", "w1"], ["c1"]))
    clip("c1", "y1", "upper")                    # GEMM, no ReLU
    nodes.append(helper.make_node("Conv", ["y1", "wd"], ["cd"], pads=[1, 1, 1, 1], group=c))
    clip("cd", "yd", "relu6")                    # depthwise
    nodes.append(helper.make_node("Conv", ["yd", "w1b"], ["cb"]))
    nodes.append(helper.make_node("Add", ["cb", "y1"], ["sum"]))
    clip("sum", "ys", "half")                    # GEMM with the residual in its epilogue
    nodes.append(helper.make_node("Conv", ["ys", "w1c"], ["cc"]))
    clip("cc", "yc", "shifted")                  # not fused: lower bound -1
    nodes.append(helper.make_node("Conv", ["yc", "w1"], ["ce"]))
    clip("ce", "y", "shared")                    # not fused: ce is read by the Add below too
    nodes.append(helper.make_node("Add", ["y", "ce"], ["out"]))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", c, 9, 11])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["n", c, 9, 11])],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    path = tmp_path / "clips.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), str(path))
    optimised = armory.InferenceSession(path)
    dump = optimised.dump_graph()
    assert "winograd" in dump and "depthwise +Clip(0, 6)]" in dump, dump
    assert dump.count("+Clip(0, 0.5)]") == 2 and "+Add +Clip(0, 0.5)]" in dump and "+Clip(-inf, 0.5)]" in dump, dump
    assert dump.count("\nClip ") == 2, dump  # the shifted and the shared one stay nodes

    F = torch.nn.functional
    t = {k: torch.from_numpy(v) for k, v in inits.items()}
    x = rng.standard_normal((2, c, 9, 11)).astype(np.float32) * 2
    y3 = F.conv2d(torch.from_numpy(x), t["w3"], t["b3"], padding=1).clamp(0, 0.5)
    y1 = F.conv2d(y3, t["w1"]).clamp(max=0.5)
    yd = F.conv2d(y1, t["wd"], padding=1, groups=c).clamp(0, 6)
    ys = (F.conv2d(yd, t["w1b"]) + y1).clamp(0, 0.5)
    yc = F.conv2d(ys, t["w1c"]).clamp(-1, 1)
    ce = F.conv2d(yc, t["w1"])
    want = (ce.clamp(0, 2) + ce).numpy()
    for session in (optimised, armory.InferenceSession(path, optimize=False)):
        (got,) = session.run(None, {"x": x})
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    # Under BF16 fast math too: the bf16 stores apply the bound, except Winograd's, whose conv keeps a float32
    # output and clamps it after the output transform.
    bf16 = armory.InferenceSession(path, fpmath="bf16")
    dump = bf16.dump_graph()
    assert "winograd 2x2 +Clip(0, 0.5)]" in dump and "+Add +Clip(0, 0.5) ->bf16]" in dump, dump
    assert "depthwise +Clip(0, 6) ->bf16]" in dump, dump
    (got,) = bf16.run(None, {"x": x})
    assert np.abs(got - want).max() <= 3e-2 * np.abs(want).max()


def test_nan_reaches_every_output_it_touches(tmp_path):
    """A NaN pixel (a corrupt input) must come out as NaN wherever PyTorch's does, not be turned into a plausible
    finite answer: std::max-style max pools, reductions and `x > 0 ? x : 0` ReLUs dropped it. Each path that
    can apply a ReLU (standalone; fused into a Winograd, GEMM and depthwise conv) and each max (MaxPool,
    GlobalMaxPool, ReduceMax, ReduceMin), with and without the optimiser and under BF16 fast math. Winograd
    mixes a whole tile, so there NaN may reach further than direct convolution's window, never less far."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(47)
    c = 16
    inits = {"w3": rng.standard_normal((c, c, 3, 3)).astype(np.float32) / 12,
             "w1": rng.standard_normal((c, c, 1, 1)).astype(np.float32) / 4,
             "wd": rng.standard_normal((c, 1, 3, 3)).astype(np.float32) / 3}
    nodes = [helper.make_node("Relu", ["x"], ["relu"]),
             helper.make_node("Conv", ["x", "w3"], ["c3"], pads=[1, 1, 1, 1]), helper.make_node("Relu", ["c3"], ["y3"]),
             helper.make_node("Conv", ["y3", "w1"], ["c1"]), helper.make_node("Relu", ["c1"], ["y1"]),
             helper.make_node("Conv", ["y1", "wd"], ["cd"], pads=[1, 1, 1, 1], group=c),
             helper.make_node("Relu", ["cd"], ["yd"]),
             helper.make_node("MaxPool", ["yd"], ["pool"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
             helper.make_node("GlobalMaxPool", ["x"], ["gmax"]),
             helper.make_node("ReduceMax", ["x"], ["rmax"], axes=[2, 3]),
             helper.make_node("ReduceMin", ["x"], ["rmin"], axes=[1])]
    outputs = ["relu", "pool", "gmax", "rmax", "rmin"]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 16, 16])],
                              [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    path = tmp_path / "nan.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))

    x = rng.standard_normal((1, c, 16, 16)).astype(np.float32)
    x[0, 3, 6, 9] = np.nan
    F = torch.nn.functional
    t, tx = {k: torch.from_numpy(v) for k, v in inits.items()}, torch.from_numpy(x)
    yd = F.conv2d(F.conv2d(F.conv2d(tx, t["w3"], padding=1).relu(), t["w1"]).relu(), t["wd"], padding=1,
                  groups=c).relu()
    want = {"relu": tx.relu(), "pool": F.max_pool2d(yd, 3, 2, 1), "gmax": tx.amax((2, 3), keepdim=True),
            "rmax": tx.amax((2, 3), keepdim=True), "rmin": tx.amin(1, keepdim=True)}
    want = {k: torch.isnan(v).numpy() for k, v in want.items()}
    assert 0 < want["pool"].sum() < want["pool"].size
    sessions = {"optimised": armory.InferenceSession(path, winograd=False),
                "as written": armory.InferenceSession(path, optimize=False, winograd=False),
                "bf16": armory.InferenceSession(path, fpmath="bf16", winograd=False),
                "winograd": armory.InferenceSession(path)}
    assert "winograd" in sessions["winograd"].dump_graph()
    for label, session in sessions.items():
        for name, got in zip(outputs, session.run(outputs, {"x": x})):
            if label == "winograd" and name == "pool":
                assert (np.isnan(got) >= want[name]).all() and not np.isnan(got).all(), (label, name)
            else:
                np.testing.assert_array_equal(np.isnan(got), want[name], err_msg=f"{label}: {name}")


def test_onnxruntime_style_api(models):
    _, path = models["resnet18"]
    session = armory.InferenceSession(str(path), threads=1)
    (inp,), (out,) = session.get_inputs(), session.get_outputs()
    assert (inp.name, inp.shape, inp.type) == ("input", ["batch", 3, 224, 224], "tensor(float)")
    assert (out.name, out.shape, out.type) == ("logits", ["batch", 1000], "tensor(float)")
    x = images(1, 4)
    by_name = session.run(["logits"], {"input": x})
    assert len(by_name) == 1 and by_name[0].shape == (1, 1000)
    result = by_name[0]
    assert result.flags.writeable and result.flags.c_contiguous
    # The array owns armory's buffer through its base (no copy); it stays valid after the session is gone.
    assert type(result.base).__name__ == "PyCapsule"  # the engine's buffer, handed over, not copied
    del session
    assert np.isfinite(result).all()


def test_errors_are_python_exceptions(models, tmp_path):
    _, path = models["resnet18"]
    session = armory.InferenceSession(path)
    x = images(1, 5)
    with pytest.raises(ValueError, match="no input 'image'"):
        session.run(None, {"image": x})
    with pytest.raises(ValueError, match="was not given"):
        session.run(None, {})
    # What the model takes there, not armory's list of dtypes (which invited an int64 feed).
    with pytest.raises(TypeError, match="input 'input' must be float32, got float64"):
        session.run(None, {"input": x.astype(np.float64)})
    with pytest.raises(TypeError, match="input 'image' has dtype int32; armory takes float32, int64 and bool"):
        session.run(None, {"image": x.astype(np.int32)})
    with pytest.raises(ValueError, match="must have shape"):
        session.run(None, {"input": x[:, :2]})
    with pytest.raises(ValueError, match="no output 'probabilities'"):
        session.run(["probabilities"], {"input": x})
    with pytest.raises(TypeError, match=r"a list of names or None, got str 'logits': use \['logits'\]"):
        session.run("logits", {"input": x})  # was run as ['l', 'o', 'g', ...]
    # Integer arguments: named, not pybind11's signature listing; 2.7 threads is not 2.
    with pytest.raises(TypeError, match="threads must be an integer, got float"):
        armory.InferenceSession(path, threads=2.7)
    with pytest.raises(ValueError, match="threads must be between 0 and"):
        armory.InferenceSession(path, threads=10**12)
    with pytest.raises(ValueError, match="runs must be between 1 and"):
        session.profile({"input": x}, runs=10**12)
    with pytest.raises(FileNotFoundError):
        armory.InferenceSession(tmp_path / "missing.onnx")
    with pytest.raises(ValueError, match="fpmath"):
        armory.InferenceSession(path, fpmath="fp8")
    data = path.read_bytes()
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(data[: len(data) // 3])
    with pytest.raises(Exception, match="truncated|past the end|malformed|no graph"):
        armory.InferenceSession(truncated)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model at all" * 10)
    with pytest.raises(Exception):
        armory.InferenceSession(garbage)


def test_an_activation_no_memory_could_hold_is_an_error_and_the_session_lives_on():
    """x [N, 1] @ w [1, 100000]: a small input whose product would take 40 GB at N = 100000 is refused
    before it is allocated; the same session then runs a batch that fits."""
    from onnx import TensorProto, helper, numpy_helper
    weights = np.random.default_rng(5).standard_normal((1, 100000)).astype(np.float32)
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 100000])],
                              initializer=[numpy_helper.from_array(weights, "w")])
    session = armory.InferenceSession(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
                                      .SerializeToString())
    with pytest.raises(ValueError, match=r"\[100000, 100000\] float32 would take more than half of this machine's"):
        session.run(None, {"x": np.ones((100000, 1), np.float32)})
    (y,) = session.run(None, {"x": np.full((2, 1), 2.0, np.float32)})
    np.testing.assert_allclose(y, 2 * np.broadcast_to(weights, (2, 100000)), rtol=1e-6)


def test_code_written_for_onnxruntime_runs_unchanged():
    """onnxruntime's sess_options (threads, optimisation level) and providers, positionally or by name; a
    GPU provider asked for beside the CPU one is not used, with a warning, as onnxruntime warns of one it
    lacks."""
    from onnx import TensorProto, helper
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "x"], ["xx"]), helper.make_node("Relu", ["xx"], ["y"])],
                              "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()
    x = np.arange(-4, 5, dtype=np.float32).reshape(3, 3)
    # onnxruntime.SessionOptions' attributes (not installed here): ORT_DISABLE_ALL is 0.
    options = types.SimpleNamespace(intra_op_num_threads=1, graph_optimization_level=0, log_severity_level=3)
    session = armory.InferenceSession(model, options, ["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"x": x})[0], np.maximum(x @ x, 0), rtol=1e-6)
    assert session.get_providers() == ["CPUExecutionProvider"]  # code checks for a GPU provider this way
    assert session.get_provider_options() == {"CPUExecutionProvider": {}}
    assert session.dump_graph() == armory.InferenceSession(model, optimize=False).dump_graph()
    assert session.dump_graph() != armory.InferenceSession(model).dump_graph()  # the Relu fused when optimised
    with pytest.raises(TypeError, match="threads must be an integer, got str"):
        armory.InferenceSession(model, sess_options=types.SimpleNamespace(intra_op_num_threads="two"))
    with pytest.warns(UserWarning, match=r"\['CUDAExecutionProvider'\] not used"):
        armory.InferenceSession(model, providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
    with pytest.warns(UserWarning, match="no provider options"):
        armory.InferenceSession(model, providers=[("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})])
    with pytest.raises(TypeError, match=r"use \['CPUExecutionProvider'\]"):
        armory.InferenceSession(model, providers="CPUExecutionProvider")


def test_a_model_in_memory_loads_like_its_file(tmp_path):
    """onnxruntime's InferenceSession takes the serialised model as well as a path; so does armory's."""
    from onnx import TensorProto, helper, numpy_helper
    weights = np.random.default_rng(3).standard_normal((8, 5)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["xw"]), helper.make_node("Relu", ["xw"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 5])],
        initializer=[numpy_helper.from_array(weights, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    path = tmp_path / "matmul_relu.onnx"
    onnx.save(model, str(path))
    x = np.random.default_rng(4).standard_normal((3, 8)).astype(np.float32)
    want = np.maximum(x @ weights, 0)
    data = model.SerializeToString()
    for source in (path, str(path), data, bytearray(data), memoryview(data)):
        (got,) = armory.InferenceSession(source).run(None, {"x": x})
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=type(source).__name__)
    with pytest.raises(TypeError, match="path .* or its bytes"):
        armory.InferenceSession(42)
    with pytest.raises(Exception, match="ModelProto"):
        armory.InferenceSession(b"\x08\x07not a model" * 10)
    with pytest.raises(Exception, match="truncated|past the end|malformed|no graph"):
        armory.InferenceSession(data[: len(data) // 2])


def test_unsupported_operator_names_the_node(tmp_path):
    from onnx import TensorProto, helper
    node = helper.make_node("Hardmax", ["x"], ["y"], name="the_hardmax")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    path = tmp_path / "hardmax.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    with pytest.raises(NotImplementedError, match="the_hardmax.*Hardmax"):
        armory.InferenceSession(path)


def test_inputs_are_read_in_place(models):
    _, path = models["resnet18"]
    session = armory.InferenceSession(path)
    x = images(1, 12)
    session.run(None, {"input": x})
    assert armory._armory._last_session_inputs() == [x.ctypes.data]
    fortran = np.asfortranarray(images(2, 12))
    session.run(None, {"input": fortran})
    assert armory._armory._last_session_inputs() != [fortran.ctypes.data]  # copied once into C order


@pytest.mark.parametrize("equation, shapes", [
    ("B G H I D, B G H J D -> B G H I J", [(2, 3, 4, 5, 6), (2, 3, 4, 7, 6)]),  # MaxViT's two products
    ("B G H I J, B G H J D -> B G H I D", [(2, 3, 4, 5, 7), (2, 3, 4, 7, 6)]),
    ("ij->ji", [(3, 4)]), ("ij->i", [(3, 4)]), ("ij", [(3, 4)]), ("ii->i", [(4, 4)]), ("ii", [(4, 4)]),
    ("...ii->...i", [(2, 3, 4, 4)]), ("i,i", [(5,), (5,)]), ("i,j->ij", [(3,), (4,)]), ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ij,ij->ij", [(3, 4), (3, 4)]), ("ijk,jl->kil", [(3, 4, 5), (4, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),  # ellipses broadcast
    ("ij,j->i", [(3, 1), (4,)]),  # a size-1 dimension broadcast in a contraction
])
def test_einsum_against_numpy(tmp_path, equation, shapes):
    from onnx import TensorProto, helper
    names = [f"x{i}" for i in range(len(shapes))]
    rng = np.random.default_rng(len(equation))
    arrays = [rng.standard_normal(shape).astype(np.float32) for shape in shapes]
    want = np.einsum(equation.replace(" ", ""), *arrays)
    node = helper.make_node("Einsum", names, ["y"], equation=equation)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s))
                                            for n, s in zip(names, shapes)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    path = tmp_path / "einsum.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    (got,) = armory.InferenceSession(path).run(None, dict(zip(names, arrays)))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_einsum_errors_name_the_node(tmp_path):
    from onnx import TensorProto, helper
    for equation, message in (("ij,jk,kl->il", "3 operands"), ("i1->i", "not a letter")):
        node = helper.make_node("Einsum", ["a", "b", "c"][:equation.count(",") + 1], ["y"], equation=equation)
        graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 2])
                                                for n in ["a", "b", "c"][:equation.count(",") + 1]],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
        path = tmp_path / "einsum_error.onnx"
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
        with pytest.raises((NotImplementedError, ValueError), match=message):
            armory.InferenceSession(path)


def test_scalar_arithmetic(tmp_path):
    """Rank-0 operands, as the Shape -> Gather -> Div chains of dynamic-batch exports make them."""
    from onnx import TensorProto, helper
    nodes = [helper.make_node("Div", ["a", "b"], ["q"]), helper.make_node("Mul", ["q", "b"], ["p"]),
             helper.make_node("Pow", ["x", "e"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("a", TensorProto.INT64, []),
                                           helper.make_tensor_value_info("b", TensorProto.INT64, []),
                                           helper.make_tensor_value_info("x", TensorProto.FLOAT, []),
                                           helper.make_tensor_value_info("e", TensorProto.FLOAT, [])],
                              [helper.make_tensor_value_info("p", TensorProto.INT64, []),
                               helper.make_tensor_value_info("y", TensorProto.FLOAT, [])])
    path = tmp_path / "scalars.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    p, y = armory.InferenceSession(path).run(None, {"a": np.array(116, dtype=np.int64), "b": np.array(2, dtype=np.int64),
                                                   "x": np.array(3, dtype=np.float32), "e": np.array(2, dtype=np.float32)})
    assert p.shape == () and p == 116 and y.shape == () and y == 9


def test_bool_masks(tmp_path):
    """Bool tensors in and out: a mask from a comparison selects between two inputs."""
    from onnx import TensorProto, helper
    nodes = [helper.make_node("Greater", ["x", "y"], ["mask"]), helper.make_node("Not", ["keep"], ["drop"]),
             helper.make_node("And", ["mask", "drop"], ["both"]), helper.make_node("Where", ["both", "x", "y"], ["z"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
                                           helper.make_tensor_value_info("y", TensorProto.FLOAT, [3]),
                                           helper.make_tensor_value_info("keep", TensorProto.BOOL, [2, 1])],
                              [helper.make_tensor_value_info("both", TensorProto.BOOL, [2, 3]),
                               helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3])])
    path = tmp_path / "masks.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    session = armory.InferenceSession(path)
    assert session.get_inputs()[2].type == "tensor(bool)"
    x = np.array([[1, 5, 2], [7, 0, 9]], dtype=np.float32)
    y = np.array([3, 3, 3], dtype=np.float32)
    keep = np.array([[False], [True]])
    both, z = session.run(None, {"x": x, "y": y, "keep": keep})
    want = (x > y) & ~keep
    assert both.dtype == np.bool_ and (both == want).all()
    np.testing.assert_array_equal(z, np.where(want, x, y))


def test_non_contiguous_input_is_accepted(models):
    model, path = models["mobilenet_v2"]
    session = armory.InferenceSession(path)
    x = np.asfortranarray(images(2, 6))
    (got,) = session.run(None, {"input": x})
    want = reference(model, np.ascontiguousarray(x))
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


def test_run_releases_the_gil(models):
    _, path = models["resnet50"]
    session = armory.InferenceSession(path, threads=1)
    x = images(8, 7)
    ticks = 0
    done = threading.Event()

    def infer():
        session.run(None, {"input": x})
        done.set()

    worker = threading.Thread(target=infer)
    start = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    elapsed = time.perf_counter() - start
    # With the GIL held for the whole run, this loop could not have ticked through it.
    assert elapsed > 0.05 and ticks >= 0.3 * elapsed / 0.001


def test_one_session_from_several_threads(models):
    _, path = models["resnet18"]
    session = armory.InferenceSession(path)
    inputs = [images(1, 10 + i) for i in range(4)]
    serial = [session.run(None, {"input": x})[0] for x in inputs]
    results = [None] * 4

    def infer(i):
        for _ in range(3):
            results[i] = session.run(None, {"input": inputs[i]})[0]

    threads = [threading.Thread(target=infer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, serial):
        np.testing.assert_array_equal(got, want)


def test_external_data(models, tmp_path):
    model, path = models["resnet18"]
    proto = onnx.load(str(path))
    external = tmp_path / "external.onnx"
    onnx.save_model(proto, str(external), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=1024)
    assert (tmp_path / "weights.bin").stat().st_size > 40e6 and external.stat().st_size < 1e6
    x = images(1, 8)
    (got,) = armory.InferenceSession(external).run(None, {"input": x})
    want = reference(model, x)
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()
    (tmp_path / "weights.bin").write_bytes(b"short")
    with pytest.raises(Exception, match="outside|external"):
        armory.InferenceSession(external)


def test_onnx_support_doc_is_current():
    env = dict(os.environ)
    result = subprocess.run([sys.executable, str(REPO / "tools" / "onnx_support.py"), "--check"], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


ARMORY = os.environ.get("ARMORY_CLI", str(REPO / "build" / "native" / "src" / "cli" / "armory"))


def test_armory_run_command(models, tmp_path):
    _, path = models["resnet18"]
    graph = subprocess.run([ARMORY, "run", str(path), "--dump-graph"], capture_output=True, text=True, timeout=120)
    assert graph.returncode == 0, graph.stderr
    assert graph.stdout.startswith("graph: ") and "+Add +Relu]" in graph.stdout and "output logits" in graph.stdout
    assert " winograd" in graph.stdout
    direct = subprocess.run([ARMORY, "run", str(path), "--dump-graph", "--direct-conv"], capture_output=True, text=True,
                            timeout=120)
    assert direct.returncode == 0 and "Conv [3x3" in direct.stdout and " winograd" not in direct.stdout
    timed = subprocess.run([ARMORY, "run", str(path), "--batch", "2", "--threads", "1", "--fpmath", "bf16", "--runs", "3"],
                           capture_output=True, text=True, timeout=300)
    assert timed.returncode == 0, timed.stderr
    assert "input input [2, 3, 224, 224]" in timed.stdout
    assert re.search(r"latency ms: min [\d.]+  p50 [\d.]+  p90 [\d.]+  p99 [\d.]+  max [\d.]+  \(3 runs\)", timed.stdout)
    assert re.search(r"throughput: [\d.]+ inferences/s \(batch 2\)", timed.stdout)
    profile = subprocess.run([ARMORY, "run", str(path), "--profile", "--runs", "2"], capture_output=True, text=True,
                             timeout=300)
    assert profile.returncode == 0 and "total " in profile.stdout and "Conv" in profile.stdout
    missing = subprocess.run([ARMORY, "run", str(tmp_path / "none.onnx")], capture_output=True, text=True)
    assert missing.returncode == 1 and "cannot open model file" in missing.stderr
    bad = subprocess.run([ARMORY, "run", str(path), "--fpmath", "fp8"], capture_output=True, text=True)
    assert bad.returncode == 2 and "strict or bf16" in bad.stderr
    # Shapes that name no input, or inputs no memory could hold, are told apart from a crash (the latter
    # threw std::bad_alloc out of main); more threads than armory has are reported as the ones that run.
    for shape, message in [("image=1x3x224x224", "the model has no input 'image'; its inputs are 'input'"),
                           ("input=100000x3x224x224", "input 'input' [100000, 3, 224, 224] float32 would take more "
                                                      "than half of this machine's memory")]:
        refused = subprocess.run([ARMORY, "run", str(path), "--shape", shape], capture_output=True, text=True,
                                 timeout=120)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
    huge_batch = subprocess.run([ARMORY, "run", str(path), "--batch", "100000"], capture_output=True, text=True,
                                timeout=120)
    assert huge_batch.returncode == 2 and "more than half of this machine's memory" in huge_batch.stderr
    many = subprocess.run([ARMORY, "run", str(path), "--threads", "4096", "--runs", "1"], capture_output=True,
                          text=True, timeout=300)
    assert many.returncode == 0, many.stderr
    assert re.search(r"threads \d+ \(armory's thread count; more were asked for\)", many.stdout), many.stdout


def test_resnet50_example_runs():
    env = dict(os.environ)
    result = subprocess.run([sys.executable, str(REPO / "examples" / "resnet50.py"), "--threads", "2"], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [l for l in result.stdout.splitlines() if "armory" in l]
    assert len(lines) == 2 and all("top-1 agrees on 100%" in l for l in lines), result.stdout
