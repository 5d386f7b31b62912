"""The timing the Python benchmarks share: armory and its peer each get one warm-up call (packing, caches,
JIT), then `repeat` timed calls of each, alternating, so that a machine whose speed drifts (this KVM
guest's does, by tens of percent over seconds) weighs on both sides of the ratio alike; the median and
the range of each, in seconds."""
import statistics
import time


def _summary(samples):
    return statistics.median(samples), min(samples), max(samples)


# OpenBLAS's idle threads spin for about 2^28 cycles (0.13 s here) before they sleep, armory's for a few
# hundred microseconds: each timed call waits this long first, so it never shares the cores with the
# other library's spinning threads.
PAUSE_SECONDS = 0.2


def timed_pair(first, second, repeat):
    first()
    second()
    samples = ([], [])
    for _ in range(repeat):
        for fn, out in ((first, samples[0]), (second, samples[1])):
            time.sleep(PAUSE_SECONDS)
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return _summary(samples[0]), _summary(samples[1])
