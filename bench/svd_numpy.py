#!/usr/bin/env python3
"""armory.svd beside numpy.linalg.svd (numpy's LAPACK gesdd on whatever BLAS numpy loads: Debian's
OpenBLAS by default), same process, same matrices.

    PYTHONPATH=build/native/python /usr/bin/python3 bench/svd_numpy.py [--sizes 512 1024] [--repeat 5] [--tall]

Square random matrices, float32 and float64, values only and with thin vectors; each figure is the
median of --repeat runs in seconds (min-max), and the ratio numpy / armory (> 1: armory faster).
"""
import argparse

import numpy as np

import armory
from timing import blas_threads, pause_for, timed_pair  # bench/timing.py, beside this script


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tall", action="store_true", help="also the issue's tall 10000x500 case")
    args = parser.parse_args()
    print(f"{'case':<28}{'armory s (min-max)':>24}{'numpy s':>10}{'numpy/armory':>14}")
    pause = pause_for(blas_threads())
    shapes = [(n, n) for n in args.sizes] + ([(10000, 500)] if args.tall else [])
    for m, n in shapes:
        for dtype in (np.float32, np.float64):
            a = np.random.default_rng(n).standard_normal((m, n)).astype(dtype)
            for uv in (False, True):
                mine, theirs = timed_pair(lambda: armory.svd(a, full_matrices=False, compute_uv=uv),
                                          lambda: np.linalg.svd(a, full_matrices=False, compute_uv=uv), args.repeat, pause)
                size = f"n={n}" if m == n else f"{m}x{n}"
                name = f"{np.dtype(dtype).name} {size} {'vectors' if uv else 'values'}"
                print(f"{name:<28}{mine[0]:>9.3f} ({mine[1]:.3f}-{mine[2]:.3f}){theirs[0]:>10.3f}"
                      f"{theirs[0] / mine[0]:>13.2f}x")


if __name__ == "__main__":
    main()
