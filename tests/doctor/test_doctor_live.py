"""`armory doctor --json` on the real machine, checked against what this test finds out by itself.

Run by ctest with ARMORY_CLI set; the test runs under /usr/bin/python3, the interpreter it compares.
"""
import json
import os
import platform
import subprocess
import sys

import pytest

CLI = os.environ.get("ARMORY_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="run through ctest (ARMORY_CLI)")


@pytest.fixture(scope="module")
def doctor():
    run = subprocess.run([CLI, "doctor", "--json"], capture_output=True, text=True, timeout=600)
    report = json.loads(run.stdout)
    return run.returncode, report


def findings(report, category):
    return [f for f in report["findings"] if f["category"] == category]


def test_exit_status_follows_the_worst_finding(doctor):
    code, report = doctor
    levels = {f["level"] for f in report["findings"]}
    assert levels <= {"ok", "warning", "problem", "unknown"}
    assert code == (1 if "problem" in levels else 0)
    assert report["worst"] == ("problem" if "problem" in levels else
                               "warning" if "warning" in levels else "unknown" if "unknown" in levels else "ok")


def test_system_python_version(doctor):
    _, report = doctor
    mine = "%d.%d.%d" % sys.version_info[:3]
    entries = [f for f in findings(report, "python") if f["subject"] == sys.executable or
               f["found"].startswith(sys.executable + " ")]
    assert entries, findings(report, "python")
    assert all("Python " + mine in f["found"] for f in entries if f["level"] != "unknown")


def test_numpy_blas_is_what_numpy_really_loads(doctor):
    _, report = doctor
    import numpy  # noqa: F401  (loads the BLAS the way the doctor's probe does)
    import numpy.linalg  # noqa: F401
    mapped = []
    for line in open("/proc/self/maps"):
        parts = line.split()
        if len(parts) >= 6 and os.path.basename(parts[-1]).startswith("libblas.so"):
            mapped.append(parts[-1])
    assert mapped, "numpy loaded no libblas.so.3?"
    entry = [f for f in findings(report, "numpy") if f["subject"] == sys.executable]
    assert entry, findings(report, "numpy")
    assert "loaded: " + mapped[0] in entry[0]["details"], entry[0]


def test_libc_and_os(doctor):
    _, report = doctor
    libc = findings(report, "libc")[0]
    name, version = platform.libc_ver()
    assert name == "glibc" and ("glibc " + version) in libc["found"], libc
    pretty = [l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME=")]
    assert pretty and pretty[0] in libc["found"], libc


def test_cpu_model_and_usable_cores(doctor):
    _, report = doctor
    cpu = findings(report, "cpu")[0]
    model = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")]
    if model:
        assert cpu["found"].startswith(model[0]), cpu
    threads = findings(report, "threads")
    assert threads
    if not any(v in os.environ for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                         "ARMORY_NUM_THREADS")):
        usable = len(os.sched_getaffinity(0))
        assert any(f["found"].startswith("%d usable cores" % usable) or "quota" in f["found"] for f in threads), threads


def test_allocator_follows_ld_preload(doctor):
    _, report = doctor
    try:
        import torch  # noqa: F401
    except ImportError:
        assert not findings(report, "allocator")
        return
    preloaded = any(name in os.environ.get("LD_PRELOAD", "") for name in ("tcmalloc", "jemalloc"))
    [entry] = findings(report, "allocator")
    assert entry["level"] == ("ok" if preloaded else "warning"), entry
    if not preloaded:
        # The fix it gives works: the library it names is there to preload.
        library = entry["fix"].split("LD_PRELOAD=")[1].split()[0]
        assert not library.startswith("/") or os.path.exists(library), entry["fix"]
        env = dict(os.environ, LD_PRELOAD=library)
        run = subprocess.run([CLI, "doctor", "--json"], capture_output=True, text=True, timeout=600, env=env)
        [fixed] = findings(json.loads(run.stdout), "allocator")
        assert fixed["level"] == "ok", fixed
