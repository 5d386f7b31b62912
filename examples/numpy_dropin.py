#!/usr/bin/env python3
"""The same numpy script with and without armory as its BLAS/LAPACK, timed.

    /usr/bin/python3 examples/numpy_dropin.py [--libdir build/native/lib]

The workload (matrix products, a solve, a least-squares fit, a Gram matrix) runs twice in fresh
interpreters: once on whatever libblas.so.3 the system gives numpy (Debian's OpenBLAS by default), once
with armory's libblas.so.3/liblapack.so.3 first on LD_LIBRARY_PATH, which is what `armory blas enable`
makes permanent. Each run prints the library it really loaded (from /proc/self/maps).
"""
import argparse
import os
import subprocess
import sys

WORKLOAD = r"""
import time, numpy as np
rng = np.random.default_rng(0)
a = rng.standard_normal((2000, 2000)); b = rng.standard_normal((2000, 2000))
a32, b32 = a.astype(np.float32), b.astype(np.float32)
x = rng.standard_normal((20000, 300)); y = rng.standard_normal(20000)
steps = [("float64 a @ b, n=2000", lambda: a @ b),
         ("float32 a @ b, n=2000", lambda: a32 @ b32),
         ("solve, n=2000", lambda: np.linalg.solve(a, b[:, :10])),
         ("least squares 20000x300", lambda: np.linalg.lstsq(x, y, rcond=None)),
         ("Gram matrix x.T @ x", lambda: x.T @ x)]
blas = sorted({l.split()[-1] for l in open('/proc/self/maps') if l.split()[-1].endswith('libblas.so.3')})
print('  libblas.so.3:', ', '.join(blas))
total = 0.0
for name, step in steps:
    step()
    t = time.perf_counter(); step(); dt = time.perf_counter() - t
    total += dt
    print(f'  {name:<28} {dt * 1e3:8.1f} ms')
print(f'  {"total":<28} {total * 1e3:8.1f} ms')
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--libdir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build",
                                                         "native", "lib"))
    args = parser.parse_args()
    libdir = os.path.abspath(args.libdir)
    if not os.path.exists(os.path.join(libdir, "libblas.so.3")):
        sys.exit(f"{libdir}/libblas.so.3 missing: bash scripts/build.sh native")
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    print("numpy on the system BLAS:")
    subprocess.run(["/usr/bin/python3", "-c", WORKLOAD], env=env, check=True)
    print("numpy on armory:")
    subprocess.run(["/usr/bin/python3", "-c", WORKLOAD], env=dict(env, LD_LIBRARY_PATH=libdir), check=True)


if __name__ == "__main__":
    main()
