"""The `armory` Python package: results against numpy, zero copies, the GIL released, threads, errors.

ctest runs it with PYTHONPATH=build/<flavour>/python under /usr/bin/python3.
"""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import armory
from armory import _armory


def address(array):
    return array.__array_interface__["data"][0]


def random(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-4), (np.float64, 1e-12)])
@pytest.mark.parametrize("order_a", ["C", "F"])
@pytest.mark.parametrize("order_b", ["C", "F"])
def test_matmul_matches_numpy_in_every_order(dtype, tol, order_a, order_b):
    a = np.asarray(random((37, 53), dtype, 1), order=order_a)
    b = np.asarray(random((53, 29), dtype, 2), order=order_b)
    c = armory.matmul(a, b)
    assert c.dtype == dtype and c.shape == (37, 29) and c.flags.c_contiguous and c.flags.owndata
    np.testing.assert_allclose(c, a @ b, rtol=tol, atol=tol * 53)
    # The engine was handed the arrays themselves.
    used = _armory._last_operands()
    assert used["a"] == address(a) and used["b"] == address(b) and used["out"] == address(c)


def test_transposed_views_and_row_slices_are_read_in_place():
    base = random((64, 96), np.float64, 3)
    a = base.T[:40]           # F-ordered view with a leading dimension of 96... rows of base.T
    b = base[:, 10:30]        # C-ordered with a leading dimension larger than its width
    c = armory.matmul(a, b)
    np.testing.assert_allclose(c, a @ b, rtol=1e-12, atol=1e-10)
    used = _armory._last_operands()
    assert used["a"] == address(a) and used["b"] == address(b)


def test_out_is_written_in_place_in_either_order():
    a, b = random((20, 30), np.float32, 4), random((30, 10), np.float32, 5)
    for order in ("C", "F"):
        out = np.zeros((20, 10), dtype=np.float32, order=order)
        result = armory.matmul(a, b, out=out)
        assert result is out and address(out) == _armory._last_operands()["out"]
        np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-4)


def test_an_out_sharing_memory_with_an_operand_gets_numpy_s_product():
    # Written while still read, such an out used to come back wrong (out = b, n = 64: most elements).
    for dtype in (np.float32, np.float64):
        a, b = random((64, 64), dtype, 11), random((64, 64), dtype, 12)
        for target in ("a", "b", "both"):
            x, y = a.copy(), b.copy() if target != "both" else None
            if target == "both":
                want = x @ x
                result = armory.matmul(x, x, out=x)
            else:
                want = x @ y
                result = armory.matmul(x, y, out=x if target == "a" else y)
            assert result is (y if target == "b" else x)
            np.testing.assert_allclose(result, want, rtol=1e-5, atol=1e-4)
    m, v = random((50, 50), np.float64, 13), random(50, np.float64, 14)
    want = m @ v
    np.testing.assert_allclose(armory.matmul(m, v, out=v), want, rtol=1e-12)
    # Two halves of one buffer do not overlap: out is still written in place, without a temporary.
    base = random((200, 30), np.float64, 15)
    a, out = base[:100], base[100:]
    want = a @ np.eye(30)
    armory.matmul(a, np.eye(30), out=out)
    np.testing.assert_allclose(out, want)
    assert _armory._last_operands()["out"] == address(out)


def test_vectors_follow_numpy_rules():
    a, b = random((8, 5), np.float64), random(5, np.float64, 1)
    np.testing.assert_allclose(armory.matmul(a, b), a @ b)
    np.testing.assert_allclose(armory.matmul(b, a.T), b @ a.T)
    assert armory.matmul(b, b).shape == () and np.isclose(armory.matmul(b, b), b @ b)


def test_array_likes_are_converted_as_numpy_would():
    """Lists and scalars, as numpy.matmul takes them (pybind11 refused them with its whole signature)."""
    np.testing.assert_array_equal(armory.matmul([[1.0, 2.0]], [[3.0], [4.0]]), [[11.0]])
    np.testing.assert_array_equal(armory.matmul([1.0, 2.0], np.eye(2)), [1.0, 2.0])
    with pytest.raises(ValueError, match="1-D or 2-D"):
        armory.matmul(2.0, np.eye(2))  # numpy.matmul refuses scalars too
    with pytest.raises(TypeError, match="float32 and float64, got int64"):
        armory.matmul([[1, 2]], [[3], [4]])


def test_svd_results_no_memory_could_hold_are_a_memory_error_that_says_so():
    """vh of a 2 x 5e6 matrix with full_matrices is 5e6 x 5e6 (200 TB): numpy's kind of MemoryError, naming
    the array, not pybind11's bare 'std::bad_alloc'."""
    with pytest.raises(MemoryError, match=r"cannot allocate .* GiB for an array of shape \(5000000, 5000000\) "
                                          r"and data type float64"):
        armory.svd(np.ones((2, 5_000_000)))
    u, s, vh = armory.svd(np.ones((2, 1000)), full_matrices=False)
    assert vh.shape == (2, 1000) and np.isclose(s[0], np.sqrt(2000))


def test_empty_shapes():
    for m, k, n in [(0, 3, 4), (3, 0, 4), (3, 4, 0)]:
        a, b = np.ones((m, k), np.float32), np.ones((k, n), np.float32)
        np.testing.assert_array_equal(armory.matmul(a, b), a @ b)


def test_bf16_fast_math_is_close_and_not_exact():
    a, b = random((256, 256), np.float32, 6), random((256, 256), np.float32, 7)
    exact = a.astype(np.float64) @ b.astype(np.float64)
    fast = armory.matmul(a, b, fpmath="bf16")
    err = np.abs(fast - exact).max() / np.abs(exact).max()
    assert 1e-5 < err < 2e-2  # bf16 inputs: about 3 significant digits, not fp32's 7


def test_the_gil_is_released_during_a_long_product():
    a = random((2500, 2500), np.float64, 8)
    ticks = []
    running = threading.Event()

    def ticker():
        running.set()
        while len(ticks) < 10_000_000 and not stop.is_set():
            ticks.append(time.perf_counter())

    stop = threading.Event()
    armory.set_num_threads(1)
    try:
        thread = threading.Thread(target=ticker)
        thread.start()
        running.wait()
        start = time.perf_counter()
        armory.matmul(a, a)
        end = time.perf_counter()
        stop.set()
        thread.join()
    finally:
        armory.set_num_threads(armory.cpu_info()["usable_cores"])
    during = [t for t in ticks if start < t < end]
    assert end - start > 0.05
    # The other thread kept running through the product: ticks spread over most of its duration.
    assert during and during[-1] - during[0] > 0.5 * (end - start), (len(during), end - start)


def test_several_python_threads_at_once_get_correct_results():
    inputs = [(random((150, 120), np.float64, s), random((120, 90), np.float64, s + 100)) for s in range(8)]
    results = [None] * len(inputs)

    def work(i):
        for _ in range(5):
            results[i] = armory.matmul(*inputs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (a, b), c in zip(inputs, results):
        np.testing.assert_allclose(c, a @ b, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("call,error,text", [
    (lambda: armory.matmul(np.ones((2, 3), np.int64), np.ones((3, 2), np.int64)), TypeError, "float32 and float64"),
    (lambda: armory.matmul(np.ones((2, 3), np.float32), np.ones((3, 2), np.float64)), TypeError, "same dtype"),
    (lambda: armory.matmul(np.ones((2, 3)), np.ones((4, 2))), ValueError, "inner dimensions"),
    (lambda: armory.matmul(np.ones((2, 3, 4)), np.ones((4, 2))), ValueError, "1-D or 2-D"),
    (lambda: armory.matmul(np.ones((8, 8))[::2, ::2], np.ones((4, 2))), ValueError, "np.ascontiguousarray"),
    (lambda: armory.matmul(np.ones((2, 3)), np.ones((3, 2)), fpmath="fast"), ValueError, "fpmath"),
    (lambda: armory.matmul(np.ones((2, 3)), np.ones((3, 2)), fpmath="bf16"), ValueError, "float32"),
    (lambda: armory.matmul(np.ones((2, 3)), np.ones((3, 2)), out=np.ones((3, 3))), ValueError,
     r"out has shape \(3, 3\), the product's is \(2, 2\)"),
    (lambda: armory.matmul(np.ones(3), np.ones((3, 2)), out=np.ones(3)), ValueError, r"the product's is \(2,\)"),
    (lambda: armory.matmul(np.ones((2, 3), ">f8"), np.ones((3, 2), ">f8")), TypeError, "byte order"),
    (lambda: armory.matmul(np.ones((2, 3)), np.ones((3, 2)), out=np.ones((2, 2), np.float32)), TypeError, "dtype"),
    (lambda: armory.matmul(np.ones((2, 3)), np.ones((3, 2)), out=np.ones((4, 4))[::2, ::2]), ValueError, "contiguous"),
    (lambda: armory.matmul(np.ones((2, 3)), np.ones((3, 2)), out=[[0, 0], [0, 0]]), TypeError,
     "out must be a numpy array, got list"),
    (lambda: armory.set_num_threads(0), ValueError, "threads"),
    (lambda: armory.set_num_threads(10**12), ValueError, "threads must be between 1 and 2147483647, got 10+$"),
    (lambda: armory.set_num_threads(2.5), TypeError, "threads must be an integer, got float"),
])
def test_errors_are_python_exceptions(call, error, text):
    with pytest.raises(error, match=text):
        call()


def test_read_only_out_is_refused():
    out = np.zeros((2, 2))
    out.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        armory.matmul(np.ones((2, 3)), np.ones((3, 2)), out=out)


def test_threads_cpu_info_config_and_version(capsys):
    before = armory.get_num_threads()
    armory.set_num_threads(1)
    assert armory.get_num_threads() == 1
    armory.set_num_threads(10 ** 6)  # capped at the CPUs it may run on, not a million workers
    assert armory.get_num_threads() == len(os.sched_getaffinity(0))
    a = np.ones((256, 256), dtype=np.float32)
    assert armory.matmul(a, a)[0, 0] == 256
    armory.set_num_threads(before)
    info = armory.cpu_info()
    assert info["arch"] in ("x86_64", "aarch64") and info["usable_cores"] >= 1 and isinstance(info["features"], list)
    assert info["bf16_arithmetic"] == bool({"avx512_bf16", "amx_bf16", "bf16"} & set(info["features"]))
    config = armory.config()
    assert config["version"] == armory.__version__ and "gemm f32" in config["gemm"]
    armory.show_config()
    shown = capsys.readouterr().out
    assert shown.startswith("armory " + armory.__version__) and "dispatched isa" in shown


def test_doctor_report_as_data():
    report = armory.doctor()
    assert report["worst"] in ("ok", "warning", "problem", "unknown")
    categories = {f["category"] for f in report["findings"]}
    assert {"cpu", "threads", "python", "libc", "numpy", "armory"} <= categories


@pytest.mark.parametrize("shape", [(40, 40), (60, 25), (25, 60), (1, 9), (9, 1), (130, 70)])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_svd_matches_numpy(shape, dtype, tol):
    a = random(shape, dtype, 9)
    before = a.copy()
    u, s, vh = armory.svd(a)
    m, n = shape
    assert u.shape == (m, m) and s.shape == (min(m, n),) and vh.shape == (n, n)
    assert u.dtype == dtype and s.dtype == dtype and vh.dtype == dtype
    # Each result is its own writeable C-ordered array (in armory's memory, not a view of another array).
    for result in (u, vh):
        assert result.flags.c_contiguous and result.flags.writeable and not isinstance(result.base, np.ndarray)
    assert not np.shares_memory(u, vh)
    np.testing.assert_array_equal(a, before)  # the input is left alone
    k = min(m, n)
    scale = tol * max(m, n) * max(1.0, float(s[0]))
    np.testing.assert_allclose(s, np.linalg.svd(a.astype(np.float64), compute_uv=False), atol=scale)
    np.testing.assert_allclose((u[:, :k] * s) @ vh[:k], a, atol=scale)
    np.testing.assert_allclose(u.T @ u, np.eye(m), atol=tol * m * 10)
    np.testing.assert_allclose(vh @ vh.T, np.eye(n), atol=tol * n * 10)
    ut, st, vht = armory.svd(a, full_matrices=False)
    assert ut.shape == (m, k) and vht.shape == (k, n)
    np.testing.assert_allclose((ut * st) @ vht, a, atol=scale)
    np.testing.assert_allclose(armory.svd(a, compute_uv=False), s, atol=scale)


def test_svd_stacks_types_and_errors():
    stack = random((3, 6, 4), np.float64, 10)
    u, s, vh = armory.svd(stack, full_matrices=False)
    assert u.shape == (3, 6, 4) and s.shape == (3, 4) and vh.shape == (3, 4, 4)
    np.testing.assert_allclose(np.einsum("bik,bk,bkj->bij", u, s, vh), stack, atol=1e-12)
    assert armory.svd(np.arange(12).reshape(3, 4), compute_uv=False).dtype == np.float64
    with pytest.raises(np.linalg.LinAlgError, match="NaN or Inf"):
        armory.svd(np.array([[np.nan, 1.0], [1.0, 1.0]]))
    with pytest.raises(np.linalg.LinAlgError, match="NaN or Inf"):
        armory.svd(np.array([[np.inf, 1.0], [1.0, 1.0]], dtype=np.float32))
    with pytest.raises(np.linalg.LinAlgError, match="two-dimensional"):
        armory.svd(np.ones(3))
    with pytest.raises(TypeError, match="complex"):
        armory.svd(np.ones((2, 2), dtype=np.complex128))
    # numpy.linalg.svd's hermitian hint is part of the signature code passes along (it was a TypeError).
    sym = stack[0].T @ stack[0]
    u, s, vh = armory.svd(sym, hermitian=True)
    np.testing.assert_allclose(s, np.linalg.svd(sym, hermitian=True, compute_uv=False), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose((u * s) @ vh, sym, atol=1e-12)


@pytest.mark.parametrize("shape", [(200, 3, 3), (2, 3, 7, 5), (3, 5, 7), (2, 0, 3), (0, 4, 4)])
def test_svd_of_a_stack_is_each_matrixs_own_on_any_thread_count(shape):
    """A stack goes to armory::svd_batch in one call (small matrices shared among the threads): each matrix's
    results are those of its own call, to the bit, on 1 and 2 threads, in numpy's shapes."""
    for dtype in (np.float64, np.float32):
        stack = random(shape, dtype, 12)
        before = stack.copy()
        k = min(shape[-2:])
        for full in (True, False):
            runs = []
            for threads in (1, 2):
                armory.set_num_threads(threads)
                try:
                    runs.append(armory.svd(stack, full_matrices=full))
                finally:
                    armory.set_num_threads(armory.cpu_info()["usable_cores"])
            expected = np.linalg.svd(stack, full_matrices=full)
            for run in runs:
                assert [r.shape for r in run] == [e.shape for e in expected] and run[1].dtype == dtype
            for got, alone in zip(runs[0], runs[1]):
                np.testing.assert_array_equal(got, alone)
            if stack.size:
                u, s, vh = runs[0]
                first = armory.svd(stack.reshape((-1,) + shape[-2:])[0], full_matrices=full)
                for got, own in zip((u, s, vh), first):
                    np.testing.assert_array_equal(got.reshape((-1,) + own.shape)[0], own)
                np.testing.assert_allclose(np.einsum("...ik,...k,...kj->...ij", u[..., :k], s, vh[..., :k, :]), stack,
                                           atol=1e-4 if dtype == np.float32 else 1e-12)
        assert armory.svd(stack, compute_uv=False).shape == shape[:-2] + (k,)
        np.testing.assert_array_equal(stack, before)  # the input is left alone
    bad = random((50, 3, 3), np.float64, 13)
    bad[31, 2, 0] = np.nan
    with pytest.raises(np.linalg.LinAlgError, match="matrix 31 of the batch: the matrix contains NaN or Inf"):
        armory.svd(bad)


def test_svd_releases_the_gil():
    a = random((600, 600), np.float64, 11)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())

    thread = threading.Thread(target=ticker)
    thread.start()
    start = time.perf_counter()
    armory.svd(a)
    end = time.perf_counter()
    stop.set()
    thread.join()
    during = [t for t in ticks if start < t < end]
    assert during and during[-1] - during[0] > 0.5 * (end - start)


def test_environment_values_armory_cannot_use_are_said_once():
    """ARMORY_NUM_THREADS=four ran the default count and ARMORY_VERBOSE=dispatcher printed nothing, both
    silently: each is now one line on stderr, however many calls follow."""
    code = ("import numpy as np, armory\n"
            "a = np.ones((64, 64), np.float32)\n"
            "armory.matmul(a, a); armory.matmul(a.astype(np.float64), a.astype(np.float64))\n"
            "print(armory.get_num_threads())\n")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "ARMORY_ISA")}
    env.update(ARMORY_NUM_THREADS="four", ARMORY_VERBOSE="dispatcher")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == armory.cpu_info()["usable_cores"]
    assert result.stderr.count("armory: ARMORY_NUM_THREADS=four is not a thread count (an integer >= 1)") == 1
    assert result.stderr.count("armory: ARMORY_VERBOSE names 'dispatcher', which is not a topic") == 1
    assert "dispatch:" not in result.stderr
