"""The timing the Python benchmarks share: untimed warm-up rounds (packing, caches, JIT, and this guest
settling after a change of phase), then `repeat` timed rounds in which every callable runs once, in turn,
so that a machine whose speed drifts (this KVM guest's does, by tens of percent over seconds) weighs on
every side of a ratio alike."""
import os
import statistics
import time


def summary(samples):
    """(median, min, max)."""
    return statistics.median(samples), min(samples), max(samples)


# OpenBLAS's idle threads spin for about 2^28 cycles (0.13 s here) before they sleep, armory's for a few
# hundred microseconds: each timed call waits this long first, so it never shares the cores with the
# other library's spinning threads.
PAUSE_SECONDS = 0.2
# Without such threads to wait for, a short pause: after an idle 0.1 s or more this guest's vCPU comes back
# with cold caches (batch-1 inference and n = 512 SVDs ran 15-50% slower, on both sides of the ratio).
SHORT_PAUSE_SECONDS = 0.05


def blas_threads():
    """The threads numpy's OpenBLAS runs with, as the environment sets them (all the cores by default)."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def pause_for(threads):
    """The pause before each call: long only with several threads, when a peer has idle threads that spin."""
    return PAUSE_SECONDS if threads > 1 else SHORT_PAUSE_SECONDS


# Warm-up: whole rounds, as timed, until this long has passed (at least one round). One call per callable
# was not enough after the benchmark changed phase: the first rounds of ResNet50 at batch 1, 2 threads,
# straight after the batch 16 cases, ran 1.5-2x slower than the later ones for armory and PyTorch alike
# (armory fp32 35-38 ms, then 22-23; PyTorch 51-62, then 39-41), and a median of 7 rounds can sit on them.
WARMUP_SECONDS = 3.0


def timed_rounds(fns, repeat, pause=PAUSE_SECONDS, warmup_seconds=WARMUP_SECONDS):
    """Seconds of each call of each callable: one list per callable, in round order; each call waits
    `pause` seconds first. Untimed rounds first, for at least `warmup_seconds`."""
    def one_round():
        times = []
        for fn in fns:
            time.sleep(pause)
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return times

    warmup_end = time.perf_counter() + warmup_seconds
    one_round()
    while time.perf_counter() < warmup_end:
        one_round()
    samples = [[] for _ in fns]
    for _ in range(repeat):
        for out, seconds in zip(samples, one_round()):
            out.append(seconds)
    return samples


def timed_pair(first, second, repeat, pause=PAUSE_SECONDS):
    """(median, min, max) seconds of first and of second, calls alternating."""
    ours, theirs = timed_rounds((first, second), repeat, pause)
    return summary(ours), summary(theirs)

