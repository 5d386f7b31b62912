#!/usr/bin/env python3
"""numpy on armory's BLAS vs numpy on Debian's OpenBLAS, measured in the same run.

    /usr/bin/python3 bench/numpy_blas.py [--libdir build/native/lib] [--threads 1 2] [--repeat 5]
                                         [--full] [--json FILE] [--only WORD ...]

Each library runs in its own child interpreter (LD_LIBRARY_PATH chooses it; the child proves from
/proc/self/maps which libblas.so.3 it loaded), with its thread count set through its own variable
(ARMORY_NUM_THREADS, OPENBLAS_NUM_THREADS); both children stay up and every case runs on one, then the
other, one sample at a time (alternating which goes first), in rounds over all the cases so that each
case's samples are spread across the run; in each round both children call from the same CPU (the next
one each round). Cases: `a @ b` and `np.dot(a, b)` for square float32 and float64 matrices, n = 16 .. 2048
(4096 with --full), and np.dot of a matrix with a vector (gemv), of a vector with a matrix (vecmat) and of two
vectors, real and complex (np.vdot too: ?dotc); a complex multiply-add counts as four real ones.
A sample is at least 20 ms of back-to-back calls; a round takes one from each library, four pairs in
alternation for a call under a millisecond. GFLOPS are the medians of a library's samples; the ratio is
the median of the pairs' ratios (the last column, the ratio of the two medians, for comparison).
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
import json, os, sys, time
import numpy as np
maps = open('/proc/self/maps').read()
blas = sorted({l.split()[-1] for l in maps.splitlines() if l.split()[-1].endswith('libblas.so.3')})
rng = np.random.default_rng(7)
# Half a second of small products before the first case: measured cold, right after the interpreter
# started, the first case (float32 n = 16) ran at 60-80% of its speed later in the run, with either library.
w = rng.random((64, 64)).astype(np.float32)
t0 = time.perf_counter()
while time.perf_counter() - t0 < 0.5: w @ w
# A product both libraries run on all their threads: their workers start here, on every CPU, before the
# parent pins this thread to one.
w = rng.random((512, 512)).astype(np.float32)
w @ w
print(json.dumps({'blas': blas, 'threads': len(os.listdir('/proc/self/task'))}), flush=True)
current = None  # (case key, fn, flops, calls): the arrays a visit made, for the samples that follow it
for line in sys.stdin:
    case = json.loads(line)
    kind, dtype, n = case['kind'], np.dtype(case['dtype']), case['n']
    key = (kind, case['dtype'], n)
    # A complex multiply-add is four real ones; complex arrays get random parts both.
    scale = 4.0 if dtype.kind == 'c' else 1.0
    def arr(*shape):
        values = rng.random(shape) + (1j * rng.random(shape) if dtype.kind == 'c' else 0)
        return values.astype(dtype)
    if not case.get('same_arrays') or current is None or current[0] != key:
        # Fresh arrays on each visit to a case: where numpy's allocator puts them moves its microsecond
        # calls, so each round's visit samples a placement of its own.
        if kind in ('matmul', 'dot'):
            a = arr(n, n); b = arr(n, n)
            fn = (lambda: a @ b) if kind == 'matmul' else (lambda: np.dot(a, b))
            flops = 2.0 * n ** 3 * scale
        elif kind in ('gemv', 'vecmat'):
            # A C-ordered matrix times a vector, and a vector times it: numpy calls cblas_?gemv with A
            # row-major, not transposed and transposed (armory's gemv_t and gemv_n kernels).
            a = arr(n, n); x = arr(n)
            fn = (lambda: np.dot(a, x)) if kind == 'gemv' else (lambda: np.dot(x, a))
            flops = 2.0 * n * n * scale
        else:
            # np.dot of two vectors (?dot, ?dotu) or np.vdot (?dotc for complex).
            x = arr(n); y = arr(n)
            fn = (lambda: np.vdot(x, y)) if kind == 'vdot_conj' else (lambda: np.dot(x, y))
            flops = 2.0 * n * scale
        fn()
        t0 = time.perf_counter(); fn(); once = time.perf_counter() - t0
        current = (key, fn, flops, max(1, int(0.02 / max(once, 1e-7))))
    _, fn, flops, calls = current
    samples = []
    for _ in range(case['repeat']):
        t0 = time.perf_counter()
        for _ in range(calls): fn()
        samples.append((time.perf_counter() - t0) / calls)
    print(json.dumps(dict(case, gflops=[flops / s / 1e9 for s in samples], call_seconds=samples)), flush=True)
"""


# Sample pairs a round for a call under a millisecond (one pair for the others).
SAMPLE_PAIRS_UNDER_A_MILLISECOND = 4


def cases(full):
    sizes = [16, 32, 64, 128, 256, 512, 1024, 2048] + ([4096] if full else [])
    out = [{"kind": kind, "dtype": d, "n": n} for kind in ("matmul", "dot") for d in ("float32", "float64")
           for n in sizes]
    out += [{"kind": kind, "dtype": d, "n": n} for kind in ("gemv", "vecmat") for d in ("float32", "float64")
            for n in (64, 512, 4096)]
    out += [{"kind": "vdot", "dtype": d, "n": n} for d in ("float32", "float64") for n in (1000, 1000000)]
    # Complex: level 2 and 1 (level 3 goes through the same engine as the real types).
    out += [{"kind": kind, "dtype": d, "n": n} for kind in ("gemv", "vecmat") for d in ("complex64", "complex128")
            for n in (64, 512)]
    out += [{"kind": kind, "dtype": d, "n": n} for kind in ("vdot", "vdot_conj") for d in ("complex64", "complex128")
            for n in (1000, 1000000)]
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
        ready = json.loads(self.read())
        loaded = ready["blas"]
        if not any(p.startswith(libdir) for p in loaded):
            sys.exit(f"expected libblas.so.3 from {libdir}, the child loaded {loaded}")
        if ready["threads"] < threads:
            sys.exit(f"the child on {libdir} runs {ready['threads']} threads after a 512 x 512 product, "
                     f"not the {threads} asked for")

    def pin(self, cpu):
        """The child's main thread (the one numpy calls from) on `cpu`; its library's workers stay free."""
        os.sched_setaffinity(self.proc.pid, {cpu})

    def read(self):
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"benchmark child failed ({self.libdir}), exit status {self.proc.wait()}")
        return line

    def run(self, case, pause=True):
        if pause:
            time.sleep(pause_for(self.threads))  # the other library's idle threads park first (bench/timing.py)
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
    parser.add_argument("--only", nargs="+", metavar="WORD",
                        help="only the cases whose kind or dtype is one of these (e.g. gemv complex128)")
    args = parser.parse_args()
    libdir = os.path.abspath(args.libdir)
    if not os.path.exists(os.path.join(libdir, "libblas.so.3")):
        sys.exit(f"{libdir}/libblas.so.3 missing: bash scripts/build.sh native")
    if not os.path.exists(os.path.join(OPENBLAS_DIR, "libblas.so.3")):
        sys.exit(f"{OPENBLAS_DIR}/libblas.so.3 missing: apt-get install libopenblas0-pthread")

    rows = []
    print(f"{'case':<31}{'threads':>8}{'armory GF/s':>14}{'(min-max)':>16}{'OpenBLAS GF/s':>15}{'ratio':>8}{'÷ med':>8}")
    for threads in args.threads:
        armory_child = Child(libdir, "ARMORY_NUM_THREADS", threads)
        openblas_child = Child(OPENBLAS_DIR, "OPENBLAS_NUM_THREADS", threads)
        # Rounds over all the cases, one sample of each per round, from each library in turn (alternating which
        # goes first): the guest's speed moves on scales from 100 ms (a case's five samples on one side, then
        # five on the other, gave 0.9x in one run and 1.3x in the next for the same code) to tens of seconds
        # (every sample of a case, taken back to back, at two thirds of armory's speed while OpenBLAS's held).
        # Spread over the run, a slow stretch costs a case one sample, which its median leaves out.
        run_cases = [c for c in cases(args.full) if not args.only or {c["kind"], c["dtype"]} & set(args.only)]
        samples = [{"armory": [], "openblas": []} for _ in run_cases]
        # Ratios of samples taken one right after the other, armory's and OpenBLAS's, per case.
        pair_ratios = [[] for _ in run_cases]
        cpus = sorted(os.sched_getaffinity(0))
        for r in range(args.repeat):
            # Both libraries call from the same CPU, a different one each round: this guest's vCPUs differ,
            # one often running a single-threaded microsecond call a third slower than the other for seconds
            # at a time, and a child the scheduler left there made its library look that much slower than
            # the other's (gemv float64 n = 64, 1 thread: pairs' ratios 1.07-1.14 in some rounds and
            # 0.74-0.80 in others of one run). Only the calling thread is pinned: the libraries' workers,
            # started before, run where they like.
            for child in (armory_child, openblas_child):
                child.pin(cpus[r % len(cpus)])
            for index, case in enumerate(run_cases):
                order = [("armory", armory_child), ("openblas", openblas_child)]
                if (index + r) % 2:
                    order.reverse()
                # One 20 ms sample from each library, the first after a pause. A call under a millisecond
                # (n = 16, vector dots) takes four pairs, in alternation with no pause (single-threaded
                # calls: no idle threads spin between them): this guest's stalls move a single 20 ms sample
                # of such calls by 2-3x, on either side, and back-to-back pairs share most of them.
                for pair in range(SAMPLE_PAIRS_UNDER_A_MILLISECOND):
                    got, call_seconds = {}, []
                    for side, child in order if pair % 2 == 0 else order[::-1]:
                        reply = child.run(dict(case, repeat=1, same_arrays=pair > 0), pause=pair == 0)
                        got[side] = reply["gflops"][0]
                        call_seconds.append(reply["call_seconds"][0])
                        samples[index][side].append(got[side])
                    pair_ratios[index].append(got["armory"] / got["openblas"])
                    if pair == 0 and max(call_seconds) > 1e-3:
                        break
            print(f"  ({threads} threads: round {r + 1} of {args.repeat} done)", file=sys.stderr, flush=True)
        for case, got, ratios in zip(run_cases, samples, pair_ratios):
            a, o = (dict(case, median=statistics.median(got[side]), min=min(got[side]), max=max(got[side]))
                    for side in ("armory", "openblas"))
            name = f"{case['kind']} {case['dtype']} n={case['n']}"
            # The median of the pairs' ratios rather than the ratio of the medians: a case whose samples
            # straddle a change of the guest's speed can have most of one library's samples on one side of
            # it and most of the other's on the other; two samples taken back to back nearly always share it.
            ratio = statistics.median(ratios)
            rows.append({"name": name, "threads": threads, "armory": a, "openblas": o, "ratio": ratio,
                         "pair_ratios": ratios})
            print(f"{name:<31}{threads:>8}{a['median']:>14.2f}{'(%.1f-%.1f)' % (a['min'], a['max']):>16}"
                  f"{o['median']:>15.2f}{ratio:>7.2f}x{a['median'] / o['median']:>7.2f}x", flush=True)
        armory_child.close()
        openblas_child.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"context": {"openblas_dir": OPENBLAS_DIR, "armory_libdir": libdir, "repeat": args.repeat},
                       "benchmarks": rows}, f, indent=2)


if __name__ == "__main__":
    main()
