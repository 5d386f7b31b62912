"""armory as numpy's and scipy's BLAS/LAPACK: the switch command and the libraries in real use.

Run by ctest with ARMORY_CLI (the armory executable) and ARMORY_LIBDIR (the build's lib directory, with
libblas.so.3 and liblapack.so.3). Nothing here touches the machine's real alternatives: the switch is
tested under a temporary --root, and numpy/scipy load armory through LD_LIBRARY_PATH.
"""
import json
import os
import subprocess
import sys

import pytest

CLI = os.environ.get("ARMORY_CLI", "")
LIBDIR = os.environ.get("ARMORY_LIBDIR", "")
MULTIARCH = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip() or \
    "x86_64-linux-gnu"
SITE = "/usr/lib/python3/dist-packages"

pytestmark = pytest.mark.skipif(not CLI or not LIBDIR, reason="run through ctest (ARMORY_CLI, ARMORY_LIBDIR)")


def armory_env():
    return dict(os.environ, LD_LIBRARY_PATH=LIBDIR + os.pathsep + os.environ.get("LD_LIBRARY_PATH", ""))


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=1200, **kwargs)


def alternative_links():
    """The machine's real alternative symlinks, to prove the tests leave them alone."""
    links = {}
    for lib in ("libblas.so.3", "liblapack.so.3"):
        path = f"/etc/alternatives/{lib}-{MULTIARCH}"
        links[path] = os.readlink(path) if os.path.islink(path) else None
    return links


def test_enable_and_disable_under_a_temporary_root(tmp_path):
    before = alternative_links()
    root = str(tmp_path)
    for d in ("etc/alternatives", "var/lib/dpkg/alternatives", f"usr/lib/{MULTIARCH}/other"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    # Another BLAS already registered with a higher priority, as OpenBLAS is on a real machine.
    other = f"/usr/lib/{MULTIARCH}/other/libblas.so.3"
    with open(root + other, "wb") as f:
        f.write(b"not armory")
    subprocess.run(["update-alternatives", "--root", root, "--install", f"/usr/lib/{MULTIARCH}/libblas.so.3",
                    f"libblas.so.3-{MULTIARCH}", other, "100"], check=True, capture_output=True)

    enable = run([CLI, "blas", "enable", "--root", root, "--from", LIBDIR])
    assert enable.returncode == 0, enable.stdout + enable.stderr
    for lib in ("libblas.so.3", "liblapack.so.3"):
        installed = f"{root}/usr/local/lib/armory/{lib}"
        assert os.path.isfile(installed)
        # The links are absolute paths inside the root: follow them by hand.
        alternative = os.readlink(os.path.join(root, f"usr/lib/{MULTIARCH}/{lib}"))
        assert os.readlink(root + alternative) == f"/usr/local/lib/armory/{lib}"

    status = run([CLI, "blas", "status", "--root", root, "--json"])
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["alternatives"]["libblas.so.3"]["is_armory"]
    assert report["alternatives"]["libblas.so.3"]["mode"] == "manual"
    assert report["alternatives"]["liblapack.so.3"]["is_armory"]

    disable = run([CLI, "blas", "disable", "--root", root])
    assert disable.returncode == 0, disable.stdout + disable.stderr
    report = json.loads(run([CLI, "blas", "status", "--root", root, "--json"]).stdout)
    assert report["alternatives"]["libblas.so.3"]["value"] == other  # back to the other BLAS
    assert not report["alternatives"]["libblas.so.3"]["is_armory"]
    assert not report["alternatives"]["liblapack.so.3"]["registered"]
    assert not os.path.exists(f"{root}/usr/local/lib/armory/libblas.so.3")
    assert alternative_links() == before


def test_enable_without_built_libraries_says_what_to_do(tmp_path):
    result = run([CLI, "blas", "enable", "--root", str(tmp_path), "--from", str(tmp_path / "nowhere")])
    assert result.returncode == 1
    assert "build armory first" in result.stderr


def test_enable_refuses_what_is_not_armory_and_relative_paths_before_touching_anything(tmp_path):
    """--from a directory with another BLAS (OpenBLAS's, say) installed it as armory's; a relative --prefix
    copied the libraries beside the root before update-alternatives refused the path."""
    root = tmp_path / "root"
    for d in ("etc/alternatives", "var/lib/dpkg/alternatives", f"usr/lib/{MULTIARCH}"):
        (root / d).mkdir(parents=True)
    other = tmp_path / "other"
    other.mkdir()
    for lib in ("libblas.so.3", "liblapack.so.3"):
        (other / lib).write_bytes(b"\x7fELF another BLAS\0")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    result = run([CLI, "blas", "enable", "--root", str(root), "--from", str(other)])
    assert result.returncode == 1
    assert f"{other}/libblas.so.3 is not armory's libblas.so.3" in result.stderr
    for args, message in [(["--prefix", "local"], "--prefix: local is not an absolute path"),
                          (["--root", "root"], "--root: root is not an absolute path")]:
        result = run([CLI, "blas", "enable", "--from", LIBDIR, *args], cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_status_reports_what_numpy_really_loads():
    report = json.loads(run([CLI, "blas", "status", "--json"], env=armory_env()).stdout)
    assert report["numpy"]["uses_armory"], report
    paths = [entry["path"] for entry in report["numpy"]["libraries"] if entry["is_armory"]]
    assert os.path.join(LIBDIR, "libblas.so.3") in paths and os.path.join(LIBDIR, "liblapack.so.3") in paths


# numpy's and scipy's own test suites, in a child interpreter that first proves from /proc/self/maps that
# armory's libraries are the ones loaded. All of scipy.linalg's (17 s): its cossin test, outside the two
# files run before, was the one to see gemv_t's sums depend on where A sat in memory.
PROVE_AND_RUN = """
import sys, pytest, numpy, numpy.linalg, scipy.linalg
libdir = sys.argv[1]
maps = open('/proc/self/maps').read()
for lib in ('libblas.so.3', 'liblapack.so.3'):
    assert libdir + '/' + lib in maps, lib + ' is not armory: ' + maps
assert 'openblas' not in maps, 'OpenBLAS is loaded too'
sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider'] + sys.argv[2:]))
"""


@pytest.mark.parametrize("suite", [
    [f"{SITE}/numpy/linalg/tests"],
    [f"{SITE}/numpy/core/tests/test_multiarray.py", "-k", "matmul or Matmul or dot or Dot"],
    [f"{SITE}/scipy/linalg/tests"],
], ids=["numpy.linalg", "numpy.matmul_and_dot", "scipy.linalg"])
def test_upstream_suite_passes_on_armory(suite, tmp_path):
    result = run([sys.executable, "-c", PROVE_AND_RUN, LIBDIR] + suite, env=armory_env(), cwd=tmp_path)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
    assert result.returncode == 0, tail
    assert " passed" in tail


# numpy.linalg.svd and scipy.linalg.svd (both drivers) on armory's ?gesdd/?gesvd: the workspace query
# answers armory's sizes (the reference LAPACK's differ), so the routines answering are armory's; the
# results are SVDs; NaN is an error, not a hang or a crash.
SVD_THROUGH_ARMORY = """
import sys, numpy as np, scipy.linalg, scipy.linalg.lapack as lapack
m, n = 300, 120
assert lapack.dgesdd_lwork(m, n, compute_uv=1)[0] == 3 * n * n + 7 * n, lapack.dgesdd_lwork(m, n)
assert lapack.sgesdd_lwork(m, n, compute_uv=0)[0] == 8 * n, lapack.sgesdd_lwork(m, n, compute_uv=0)
assert lapack.dgesvd_lwork(m, n)[0] == 5 * n, lapack.dgesvd_lwork(m, n)
rng = np.random.default_rng(5)
for dtype, tol in ((np.float32, 1e-4), (np.float64, 1e-12)):
    for shape in ((m, n), (n, m), (200, 200)):
        a = rng.standard_normal(shape).astype(dtype)
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        assert np.linalg.norm(a - (u * s) @ vt) <= tol * np.linalg.norm(a) * max(shape), (dtype, shape)
        assert np.allclose(np.linalg.svd(a, compute_uv=False), s, rtol=0, atol=tol * s[0] * max(shape))
        for driver in ('gesdd', 'gesvd'):
            for full in (True, False):
                u, s2, vt = scipy.linalg.svd(a, full_matrices=full, lapack_driver=driver)
                k = min(shape)
                assert np.linalg.norm(a - (u[:, :k] * s2) @ vt[:k]) <= tol * np.linalg.norm(a) * max(shape)
                assert np.allclose(u.T @ u, np.eye(u.shape[1]), atol=tol * max(shape)), (driver, full)
                assert np.allclose(s2, s, rtol=0, atol=tol * s[0] * max(shape))
# A rank-one matrix's pseudo-inverse: its zero singular values must stay under pinv's cut-off (1e-15 of the
# largest); one at 8 ulps once made entries of 4e7 where the answer's are 1e-9.
rank_one = np.outer(np.arange(1, 60.0), np.arange(1, 40.0))
assert np.abs(np.linalg.pinv(rank_one) - np.outer(np.arange(1, 60.0), np.arange(1, 40.0)).T / np.sum(rank_one ** 2)).max() < 1e-12
bad = np.ones((50, 40))
bad[3, 7] = np.nan
for call in (lambda: np.linalg.svd(bad), lambda: np.linalg.svd(bad.astype(np.float32), compute_uv=False),
             lambda: scipy.linalg.svd(bad, check_finite=False, lapack_driver='gesvd')):
    try:
        call()
    except (np.linalg.LinAlgError, ValueError):
        pass
    else:
        raise AssertionError('NaN input was accepted')
print('ok')
"""


def test_numpy_and_scipy_svd_run_on_armorys_routines(tmp_path):
    result = run([sys.executable, "-c", SVD_THROUGH_ARMORY], env=armory_env(), cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stdout + result.stderr


# armory's ?laswp_ (the row interchanges of LU) against the reference LAPACK's, called side by side through
# ctypes on the same matrices and pivots: every type, both directions, strides of 2 and 3, k1 > k2 and
# incx = 0 (no-ops), a leading dimension past the rows. The results must be identical.
LASWP_AGAINST_REFERENCE = """
rng = np.random.default_rng(8)
m, n, lda = 37, 23, 41
for prefix, dtype in (('s', np.float32), ('d', np.float64), ('c', np.complex64), ('z', np.complex128)):
    for k1, k2, incx in ((1, m, 1), (3, 20, 1), (1, m, -1), (5, 17, -1), (2, 30, 2), (4, 12, -3), (1, 5, 0), (9, 3, 1)):
        ipiv = rng.integers(1, m + 1, size=120).astype(np.int32)
        a = rng.standard_normal((lda, n)).astype(dtype)
        if np.iscomplexobj(a):
            a = a + 1j * rng.standard_normal((lda, n)).astype(dtype)
        a = np.asfortranarray(a)
        results = []
        for lib in (ours, reference):
            b = a.copy(order='F')
            getattr(lib, prefix + 'laswp_')(i32(n), b.ctypes.data_as(ctypes.c_void_p), i32(lda), i32(k1), i32(k2),
                                            ipiv.ctypes.data_as(ctypes.c_void_p), i32(incx))
            results.append(b)
        assert results[0].tobytes() == results[1].tobytes(), (prefix, k1, k2, incx)
        assert incx == 0 or k1 > k2 or not np.array_equal(results[0], a), (prefix, k1, k2, incx)
print('ok')
"""


# armory's ?gesdd_ and ?gesvd_ against the reference LAPACK's, called side by side through ctypes, for every
# job each takes (numpy and scipy use only some: 'O', which leaves U or V^T in A, none of them): tall, wide
# and square, a leading dimension past the rows (which must stay untouched), each library's own workspace
# size. Singular values must agree, and the vectors wherever the job puts them, up to each vector's sign.
SVD_JOBS_AGAINST_REFERENCE = """

def run(lib, routine, jobs, a, m, n, u_shape, vt_shape, dtype):
    a, s = a.copy(order='F'), np.zeros(min(m, n), dtype)
    u, vt = np.full(u_shape, -7, dtype, order='F'), np.full(vt_shape, -7, dtype, order='F')
    info, iwork, query = ctypes.c_int(0), np.zeros(8 * min(m, n), np.int32), np.zeros(1, dtype)
    def call(work, lwork):
        args = [job(j) for j in jobs] + [i32(m), i32(n), ptr(a), i32(a.shape[0]), ptr(s), ptr(u), i32(u_shape[0]),
                                         ptr(vt), i32(vt_shape[0]), ptr(work), i32(lwork)]
        args += [ptr(iwork)] if routine.endswith('gesdd_') else []
        getattr(lib, routine)(*args, ctypes.byref(info), *[one] * len(jobs))
    call(query, -1)
    call(np.zeros(max(int(query[0]), 1), dtype), int(query[0]))
    return info.value, a, s, u, vt

def same_vectors(x, y, tol):  # columns, each up to its sign
    signs = np.where(np.sum(x * y, axis=0) < 0, -1, 1)
    return x.size == 0 or np.abs(x * signs - y).max() <= tol

rng = np.random.default_rng(2)
for prefix, dtype, tol in (('d', np.float64, 1e-9), ('s', np.float32, 2e-3)):
    for m, n in ((40, 25), (25, 40), (30, 30), (120, 20), (20, 120)):
        k = min(m, n)
        a = np.asfortranarray(np.vstack([rng.standard_normal((m, n)), np.zeros((3, n))]).astype(dtype))
        cases = [('gesdd_', (z,)) for z in 'NSAO'] + [('gesvd_', p) for p in itertools.product('ASON', repeat=2)]
        for routine, jobs in cases:
            if jobs == ('O', 'O'):
                continue
            ju, jv = (jobs[0], jobs[0]) if len(jobs) == 1 else jobs
            if len(jobs) == 1 and ju == 'O':  # gesdd's 'O': U into A when m >= n, V^T into A otherwise
                ju, jv = ('O', 'S') if m >= n else ('S', 'O')
            u_shape = (m, {'A': m, 'S': k}[ju]) if ju in 'AS' else (1, 1)
            vt_shape = ({'A': n, 'S': k}[jv], n) if jv in 'AS' else (1, 1)
            got = [run(lib, prefix + routine, jobs, a, m, n, u_shape, vt_shape, dtype) for lib in (ours, reference)]
            (info, a_ours, s, u, vt), (info_ref, a_ref, s_ref, u_ref, vt_ref) = got
            what = (prefix + routine, jobs, m, n)
            assert info == info_ref == 0, what + (info, info_ref)
            assert np.abs(s - s_ref).max() <= tol * s_ref[0], what
            assert ju not in 'AS' or same_vectors(u[:, :k], u_ref[:, :k], tol), what + ('U',)
            assert jv not in 'AS' or same_vectors(vt[:k].T, vt_ref[:k].T, tol), what + ('VT',)
            assert ju != 'O' or same_vectors(a_ours[:m, :k], a_ref[:m, :k], tol), what + ('U in A',)
            assert jv != 'O' or same_vectors(a_ours[:k, :n].T, a_ref[:k, :n].T, tol), what + ('VT in A',)
            assert np.array_equal(a_ours[m:], a_ref[m:]), what + ('rows past m',)
print('ok')
"""


# armory's ?laset_ against the reference's: every type, each triangle and the full matrix, tall, wide, empty
# and negative shapes, a leading dimension past the rows. Identical results.
LASET_AGAINST_REFERENCE = """
rng = np.random.default_rng(9)
for prefix, dtype in (('s', np.float32), ('d', np.float64), ('c', np.complex64), ('z', np.complex128)):
    alpha, beta = np.array([1.5 - 2j]).astype(dtype), np.array([-0.25 + 3j]).astype(dtype)
    for uplo in 'ULAul':
        for m, n in ((5, 5), (7, 3), (3, 7), (1, 4), (0, 3), (4, 0), (-1, 3)):
            a = np.asfortranarray(rng.standard_normal((max(m, 0) + 2, max(n, 1))).astype(dtype))
            results = []
            for lib in (ours, reference):
                b = a.copy(order='F')
                getattr(lib, prefix + 'laset_')(ctypes.c_char_p(uplo.encode()), i32(m), i32(n),
                                                alpha.ctypes.data_as(ctypes.c_void_p), beta.ctypes.data_as(ctypes.c_void_p),
                                                b.ctypes.data_as(ctypes.c_void_p), i32(b.shape[0]), ctypes.c_size_t(1))
                results.append(b)
            assert results[0].tobytes() == results[1].tobytes(), (prefix, uplo, m, n)
print('ok')
"""


# armory's ?syevd_ (Jacobi up to order 6, the reference's own code past it) against the reference LAPACK's, side
# by side through ctypes: orders 1..9, values only and vectors, either triangle, a leading dimension past the
# order (rows that must stay untouched), random, repeated and zero spectra. The values must agree, the vectors
# solve A v = w v and be orthonormal (repeated values make them differ from the reference's); the workspace
# query and NaN get the reference's answers, a workspace too small an argument error.
SYEVD_AGAINST_REFERENCE = """

def call(lib, routine, jobz, uplo, a, lwork=None, liwork=None, dtype=np.float64):
    n = a.shape[1]
    a, w, info = a.copy(order='F'), np.zeros(n, dtype), ctypes.c_int(0)
    work, iwork = np.zeros(1, dtype), np.zeros(1, np.int32)
    getattr(lib, routine)(job(jobz), job(uplo), i32(n), ptr(a), i32(a.shape[0]), ptr(w), ptr(work), i32(-1),
                          ptr(iwork), i32(-1), ctypes.byref(info), one, one)
    query = (int(work[0]), int(iwork[0]), info.value)
    lwork = max(1, query[0]) if lwork is None else lwork
    liwork = max(1, query[1]) if liwork is None else liwork
    work, iwork = np.zeros(max(lwork, 1), dtype), np.zeros(max(liwork, 1), np.int32)
    getattr(lib, routine)(job(jobz), job(uplo), i32(n), ptr(a), i32(a.shape[0]), ptr(w), ptr(work), i32(lwork),
                          ptr(iwork), i32(liwork), ctypes.byref(info), one, one)
    return query, info.value, a, w

rng = np.random.default_rng(4)
for prefix, dtype, tol in (('d', np.float64, 1e-12), ('s', np.float32, 1e-4)):
    routine = prefix + 'syevd_'
    for n in range(1, 10):
        q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        spectra = {'random': rng.uniform(-5, 5, n), 'repeated': np.where(np.arange(n) < n // 2, 2.0, -1.0),
                   'zero': np.zeros(n)}
        for kind, lam in spectra.items():
            sym = (q * lam) @ q.T
            sym = (sym + sym.T) / 2
            a = np.asfortranarray(np.vstack([sym, np.full((2, n), 7.0)]).astype(dtype))
            scale = max(1.0, np.abs(lam).max())
            for jobz in 'NV':
                for uplo in 'UL':
                    what = (routine, n, kind, jobz, uplo)
                    (qo, io, ao, wo), (qr, ir, ar, wr) = (call(lib, routine, jobz, uplo, a, dtype=dtype)
                                                          for lib in (ours, reference))
                    assert qo == qr and io == ir == 0, what + (qo, qr, io, ir)
                    assert np.all(np.diff(wo) >= 0) and np.abs(wo - wr).max() <= tol * scale * n, what
                    assert np.array_equal(ao[n:], ar[n:]), what + ('rows past n',)
                    if jobz == 'V':
                        v = ao[:n].astype(np.float64)
                        assert np.abs(sym @ v - v * wo).max() <= tol * scale * n, what + ('A v = w v',)
                        assert np.abs(v.T @ v - np.eye(n)).max() <= tol * n, what + ('orthonormal',)
        # A workspace one short of dsyevd's documented minimum: LWORK (argument 8) reported through xerbla_,
        # which numpy's (loaded here) raises as a Python error. Ours only: the reference's xerbla stops the process.
        a = np.asfortranarray(np.eye(n, dtype=dtype))
        if n > 1:
            lwmin = 1 + 6 * n + 2 * n * n
            try:
                call(ours, routine, 'V', 'L', a, lwork=lwmin - 1, dtype=dtype)
            except (ValueError, SystemError) as e:
                assert 'parameter number 8' in str(e) + str(e.__cause__), (routine, n, str(e))
            else:
                raise AssertionError((routine, n, 'a short workspace was accepted'))
        # NaN: whatever the reference gives.
        a = np.asfortranarray(np.eye(n, dtype=dtype)); a[n - 1, 0] = np.nan
        got = [call(lib, routine, 'V', 'L', a, dtype=dtype) for lib in (ours, reference)]
        assert got[0][1] == got[1][1], (routine, n, got[0][1], got[1][1])
        assert np.array_equal(np.isnan(got[0][3]), np.isnan(got[1][3])), (routine, n)
print('ok')
"""


# What every script run beside the reference starts with: both libraries (ours, reference) and ctypes helpers.
BESIDE_REFERENCE_PREAMBLE = """
import ctypes, itertools, sys, numpy as np
ours, reference = ctypes.CDLL(sys.argv[1]), ctypes.CDLL(sys.argv[2])
assert ours._name != reference._name
i32 = lambda v: ctypes.byref(ctypes.c_int(v))
job = lambda c: ctypes.c_char_p(c.encode())
ptr = lambda x: x.ctypes.data_as(ctypes.c_void_p)
one = ctypes.c_size_t(1)
"""


def run_beside_reference_lapack(script, tmp_path):
    """Runs BESIDE_REFERENCE_PREAMBLE + script with armory's liblapack.so.3 and Debian's reference one as its two
    arguments."""
    reference = f"/usr/lib/{MULTIARCH}/lapack/liblapack.so.3"
    if not os.path.exists(reference):
        pytest.skip(f"{reference} (Debian's liblapack3) is not installed")
    ours = os.path.abspath(os.path.join(LIBDIR, "liblapack.so.3"))
    result = run([sys.executable, "-c", BESIDE_REFERENCE_PREAMBLE + script, ours, reference], env=armory_env(),
                 cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stdout + result.stderr


def test_svd_routines_give_the_reference_results_for_every_job(tmp_path):
    run_beside_reference_lapack(SVD_JOBS_AGAINST_REFERENCE, tmp_path)


def test_laswp_gives_the_reference_results(tmp_path):
    run_beside_reference_lapack(LASWP_AGAINST_REFERENCE, tmp_path)


def test_syevd_gives_the_reference_results(tmp_path):
    run_beside_reference_lapack(SYEVD_AGAINST_REFERENCE, tmp_path)


def test_laset_gives_the_reference_results(tmp_path):
    run_beside_reference_lapack(LASET_AGAINST_REFERENCE, tmp_path)
