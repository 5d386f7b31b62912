#!/usr/bin/env python3
"""numpy.linalg's LAPACK routines through armory's libblas.so.3 + liblapack.so.3 vs Debian's OpenBLAS.

    /usr/bin/python3 bench/numpy_linalg.py [--libdir build/native/lib] [--threads 1 2] [--repeat 7] [--n 1024]
                                           [--cases inv solve ... | --cases all]

With armory as the alternative, numpy's inv, solve, det, cholesky, qr, eigvalsh and eigh run the reference
LAPACK (from armory's liblapack.so.3) on armory's BLAS, except the routines armory provides itself (?gesdd,
?gesvd, ?laswp, ?getrf: the LU of inv, solve and det); OpenBLAS brings its own LAPACK with parallel LU and
Cholesky. Each library runs in its own child interpreter, chosen with LD_LIBRARY_PATH (the child checks
/proc/self/maps), threads set through its own variable; the children take each case in turn. Each figure is
the median of --repeat calls, in ms.
"""
import argparse
import os
import statistics
import subprocess
import sys

OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
# eigvalsh and eigh reduce to tridiagonal form (?sytrd) in symv and syr2k: level 2 as much as level 3.
CASES = ("inv", "solve", "det", "cholesky", "qr", "eigvalsh", "eigh")
# More with --cases: eig / eigvals (?geev: Hessenberg reduction and QR sweeps), lstsq (?gelsd), qr_r (?geqrf
# alone), svd (armory's ?gesdd), zmatmul (complex GEMM), gram: X.T @ X for X of 10n x n/10, which numpy
# runs as syrk; svd_tall: the SVD of that X with numpy's default full vectors (a 10n x 10n U); svd_stack: the
# SVDs of 20000 3 x 3 matrices in one call (numpy calls ?gesdd per matrix; n does not matter), eigh_stack their
# symmetric eigenpairs (?syevd per matrix).
MORE_CASES = ("eig", "eigvals", "lstsq", "qr_r", "svd", "zmatmul", "gram", "svd_tall", "svd_stack", "eigh_stack")

CHILD = r"""
import sys, time, warnings
import numpy as np
libdir, n, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
maps = open('/proc/self/maps').read()
assert any(l.endswith(libdir + '/libblas.so.3') for l in maps.split()), 'libblas.so.3 not from ' + libdir
warnings.simplefilter('ignore')  # det of a random matrix overflows: the time is what counts
rng = np.random.default_rng(1)
a = rng.random((n, n)); b = rng.random((n, n)); spd = a @ a.T + n * np.eye(n)
z = a + 1j * b; x = rng.random((10 * n, max(1, n // 10))); rhs = rng.random((n, 8)); stack = rng.random((20000, 3, 3))
sym_stack = stack + np.swapaxes(stack, 1, 2)
cases = {'inv': lambda: np.linalg.inv(a), 'solve': lambda: np.linalg.solve(a, b), 'det': lambda: np.linalg.det(a),
         'cholesky': lambda: np.linalg.cholesky(spd), 'qr': lambda: np.linalg.qr(a),
         'eigvalsh': lambda: np.linalg.eigvalsh(spd), 'eigh': lambda: np.linalg.eigh(spd),
         'eig': lambda: np.linalg.eig(a), 'eigvals': lambda: np.linalg.eigvals(a),
         'lstsq': lambda: np.linalg.lstsq(a, rhs, rcond=None), 'qr_r': lambda: np.linalg.qr(a, mode='r'),
         'svd': lambda: np.linalg.svd(a), 'zmatmul': lambda: z @ z, 'gram': lambda: x.T @ x,
         'svd_tall': lambda: np.linalg.svd(x), 'svd_stack': lambda: np.linalg.svd(stack),
         'eigh_stack': lambda: np.linalg.eigh(sym_stack)}
for line in sys.stdin:
    fn = cases[line.strip()]
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); samples.append(time.perf_counter() - t0)
    print(' '.join(repr(s) for s in samples), flush=True)
"""


def child(libdir, thread_var, threads, n, repeat):
    env = dict(os.environ, LD_LIBRARY_PATH=libdir)
    env[thread_var] = str(threads)
    return subprocess.Popen([sys.executable, "-c", CHILD, libdir, str(n), str(repeat)], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--libdir", default="build/native/lib")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES + MORE_CASES + ("all",))
    args = parser.parse_args()
    cases = CASES + MORE_CASES if "all" in args.cases else tuple(args.cases)
    libdir = os.path.abspath(args.libdir)
    for path in (os.path.join(libdir, "liblapack.so.3"), os.path.join(OPENBLAS_DIR, "libblas.so.3")):
        if not os.path.exists(path):
            sys.exit(f"{path} missing: build armory (scripts/build.sh native) and install libopenblas0-pthread")
    print(f"numpy.linalg at n = {args.n}, ms (median of {args.repeat}); ratio OpenBLAS / armory (> 1: armory faster)")
    print(f"{'threads':>7} {'case':<10} {'armory':>9} {'openblas':>9} {'ratio':>6}")
    for threads in args.threads:
        children = [child(libdir, "ARMORY_NUM_THREADS", threads, args.n, args.repeat),
                    child(OPENBLAS_DIR, "OPENBLAS_NUM_THREADS", threads, args.n, args.repeat)]
        for case in cases:
            medians = []
            for c in children:
                c.stdin.write(case + "\n")
                c.stdin.flush()
                line = c.stdout.readline()
                if not line:
                    sys.exit(f"a child failed on {case}")
                medians.append(statistics.median(float(s) for s in line.split()) * 1e3)
            digits = 1 if min(medians) >= 10 else 3
            print(f"{threads:>7} {case:<10} {medians[0]:>9.{digits}f} {medians[1]:>9.{digits}f} "
                  f"{medians[1] / medians[0]:>6.2f}")
        for c in children:
            c.stdin.close()
            c.wait()


if __name__ == "__main__":
    main()
