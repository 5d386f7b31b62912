"""The timing the Python benchmarks share: one warm-up call (packing, caches, JIT), then `repeat` timed
calls; the median and the range, in seconds."""
import statistics
import time


def timed(fn, repeat):
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), max(samples)
