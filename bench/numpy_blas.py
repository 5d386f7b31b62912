#!/usr/bin/env python3
"""numpy on armory's BLAS vs numpy on Debian's OpenBLAS, measured in the same run.

    /usr/bin/python3 bench/numpy_blas.py [--libdir build/native/lib] [--threads 1 2] [--repeat 5]
                                         [--full] [--json FILE]

Each library runs in its own child interpreter (LD_LIBRARY_PATH chooses it; the child proves from
/proc/self/maps which libblas.so.3 it loaded), with its thread count set through its own variable
(ARMORY_NUM_THREADS, OPENBLAS_NUM_THREADS); both children stay up and every case runs on one, then the
other, one sample at a time (alternating which goes first), in rounds over all the cases so that each
case's samples are spread across the run. Cases: `a @ b` and `np.dot(a, b)` for square
float32 and float64 matrices, n = 16 .. 2048 (4096 with --full), and np.dot of a matrix with a vector
(gemv) and of two vectors.
Every figure is the median of --repeat samples, each at least 20 ms of back-to-back calls (three samples a
round for a call under a millisecond).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from timing import pause_for  # bench/timing.py, beside this script

OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"

CHILD = r"""
import json, sys, time
import numpy as np
maps = open('/proc/self/maps').read()
blas = sorted({l.split()[-1] for l in maps.splitlines() if l.split()[-1].endswith('libblas.so.3')})
print(json.dumps({'blas': blas}), flush=True)
rng = np.random.default_rng(7)
# Half a second of small products before the first case: measured cold, right after the interpreter
# started, the first case (float32 n = 16) ran at 60-80% of its speed later in the run, with either library.
w = rng.random((64, 64)).astype(np.float32)
t0 = time.perf_counter()
while time.perf_counter() - t0 < 0.5: w @ w
for line in sys.stdin:
    case = json.loads(line)
    kind, dtype, n = case['kind'], np.dtype(case['dtype']), case['n']
    if kind in ('matmul', 'dot'):
        a = rng.random((n, n)).astype(dtype); b = rng.random((n, n)).astype(dtype)
        fn = (lambda: a @ b) if kind == 'matmul' else (lambda: np.dot(a, b))
        flops = 2.0 * n ** 3
    elif kind == 'gemv':
        a = rng.random((n, n)).astype(dtype); x = rng.random(n).astype(dtype)
        fn = lambda: np.dot(a, x)
        flops = 2.0 * n * n
    else:
        x = rng.random(n).astype(dtype); y = rng.random(n).astype(dtype)
        fn = lambda: np.dot(x, y)
        flops = 2.0 * n
    fn()
    t0 = time.perf_counter(); fn(); once = time.perf_counter() - t0
    calls = max(1, int(0.02 / max(once, 1e-7)))
    # A call under a millisecond takes three samples a visit: each costs 20 ms, and at these sizes (n = 16,
    # vector dots) this guest's stalls moved single samples by 2-3x, on both sides.
    samples = []
    for _ in range(case['repeat'] * (3 if once < 1e-3 else 1)):
        t0 = time.perf_counter()
        for _ in range(calls): fn()
        samples.append((time.perf_counter() - t0) / calls)
    print(json.dumps(dict(case, gflops=[flops / s / 1e9 for s in samples])), flush=True)
"""


def cases(full):
    sizes = [16, 32, 64, 128, 256, 512, 1024, 2048] + ([4096] if full else [])
    out = [{"kind": kind, "dtype": d, "n": n} for kind in ("matmul", "dot") for d in ("float32", "float64")
           for n in sizes]
    out += [{"kind": "gemv", "dtype": d, "n": n} for d in ("float32", "float64") for n in (64, 512, 4096)]
    out += [{"kind": "vdot", "dtype": d, "n": n} for d in ("float32", "float64") for n in (1000, 1000000)]
    return out


class Child:
    """One interpreter on one library (LD_LIBRARY_PATH chooses it), taking cases one line at a time: both
    libraries' children stay up and the cases alternate between them, so a machine whose speed drifts
    (this KVM guest's does) weighs on both sides of every ratio alike."""

    def __init__(self, libdir, thread_var, threads):
        env = dict(os.environ, LD_LIBRARY_PATH=libdir, OMP_NUM_THREADS=str(threads))
        env[thread_var] = str(threads)
        self.libdir = libdir
        self.threads = threads
        self.proc = subprocess.Popen(["/usr/bin/python3", "-c", CHILD], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        loaded = json.loads(self.read())["blas"]
        if not any(p.startswith(libdir) for p in loaded):
            sys.exit(f"expected libblas.so.3 from {libdir}, the child loaded {loaded}")

    def read(self):
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"benchmark child failed ({self.libdir}), exit status {self.proc.wait()}")
        return line

    def run(self, case):
        time.sleep(pause_for(self.threads))  # the other library's idle threads park first (see bench/timing.py)
        self.proc.stdin.write(json.dumps(case) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.read())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--libdir", default=os.path.join(os.path.dirname(__file__), "..", "build", "native", "lib"))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="add n = 4096")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    libdir = os.path.abspath(args.libdir)
    if not os.path.exists(os.path.join(libdir, "libblas.so.3")):
        sys.exit(f"{libdir}/libblas.so.3 missing: bash scripts/build.sh native")
    if not os.path.exists(os.path.join(OPENBLAS_DIR, "libblas.so.3")):
        sys.exit(f"{OPENBLAS_DIR}/libblas.so.3 missing: apt-get install libopenblas0-pthread")

    rows = []
    print(f"{'case':<22}{'threads':>8}{'armory GF/s':>14}{'(min-max)':>16}{'OpenBLAS GF/s':>15}{'ratio':>8}")
    for threads in args.threads:
        armory_child = Child(libdir, "ARMORY_NUM_THREADS", threads)
        openblas_child = Child(OPENBLAS_DIR, "OPENBLAS_NUM_THREADS", threads)
        # Rounds over all the cases, one sample of each per round, from each library in turn (alternating which
        # goes first): the guest's speed moves on scales from 100 ms (a case's five samples on one side, then
        # five on the other, gave 0.9x in one run and 1.3x in the next for the same code) to tens of seconds
        # (every sample of a case, taken back to back, at two thirds of armory's speed while OpenBLAS's held).
        # Spread over the run, a slow stretch costs a case one sample, which its median leaves out.
        run_cases = cases(args.full)
        samples = [{"armory": [], "openblas": []} for _ in run_cases]
        for r in range(args.repeat):
            for index, case in enumerate(run_cases):
                order = [("armory", armory_child), ("openblas", openblas_child)]
                if (index + r) % 2:
                    order.reverse()
                for side, child in order:
                    samples[index][side] += child.run(dict(case, repeat=1))["gflops"]
            print(f"  ({threads} threads: round {r + 1} of {args.repeat} done)", file=sys.stderr, flush=True)
        for case, got in zip(run_cases, samples):
            a, o = (dict(case, median=statistics.median(got[side]), min=min(got[side]), max=max(got[side]))
                    for side in ("armory", "openblas"))
            name = f"{case['kind']} {case['dtype']} n={case['n']}"
            ratio = a["median"] / o["median"]
            rows.append({"name": name, "threads": threads, "armory": a, "openblas": o, "ratio": ratio})
            print(f"{name:<22}{threads:>8}{a['median']:>14.2f}{'(%.1f-%.1f)' % (a['min'], a['max']):>16}"
                  f"{o['median']:>15.2f}{ratio:>7.2f}x", flush=True)
        armory_child.close()
        openblas_child.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"context": {"openblas_dir": OPENBLAS_DIR, "armory_libdir": libdir, "repeat": args.repeat},
                       "benchmarks": rows}, f, indent=2)


if __name__ == "__main__":
    main()
