#!/usr/bin/env python3
"""Runs one netlib tester against a library directory and judges it: the BLAS testers of Debian's
libblas-test, or (TESTER starting with xlintst or xeigtst) the LAPACK test drivers of liblapack-test,
which exercise the BLAS the way LAPACK uses it.

    netlib_tester.py LIBDIR TESTER [INPUT]

The tester runs in a fresh temporary directory with LIBDIR first on LD_LIBRARY_PATH, reading INPUT (the
data file that comes with it) on standard input. It passes when the program exits 0, reports every
routine as passed, and prints none of the markers the testers use for a failure.
"""
import os
import re
import subprocess
import sys
import tempfile

BLAS_TESTER_DIR = "/usr/lib/x86_64-linux-gnu/blas"
LAPACK_TESTER_DIR = "/usr/lib/x86_64-linux-gnu/lapack"
FAILURE_MARKERS = re.compile(
    r"FAIL|SUSPECT|NOT DETECTED|INSTEAD OF|ILLEGAL VALUE|WRONG|ERROR-EXITS.*\*\*\*|\*\*\*\*\* ", re.IGNORECASE)


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    libdir, tester = os.path.abspath(sys.argv[1]), sys.argv[2]
    lapack = tester.startswith(("xlintst", "xeigtst"))
    tester_dir = LAPACK_TESTER_DIR if lapack else BLAS_TESTER_DIR
    program = os.path.join(tester_dir, tester)
    if not os.path.exists(program):
        print(f"{program} missing: install libblas-test and liblapack-test (scripts/install-deps.sh does)",
              file=sys.stderr)
        return 1
    stdin_data = b""
    if len(sys.argv) == 4:
        with open(os.path.join(tester_dir, sys.argv[3]), "rb") as f:
            stdin_data = f.read()

    env = dict(os.environ, LD_LIBRARY_PATH=libdir + os.pathsep + os.environ.get("LD_LIBRARY_PATH", ""))
    with tempfile.TemporaryDirectory(prefix="armory-netlib-") as work:
        run = subprocess.run([program], input=stdin_data, cwd=work, env=env, capture_output=True, timeout=900)
        output = run.stdout.decode(errors="replace") + run.stderr.decode(errors="replace")
        # The level 2 and 3 Fortran testers write their summary to the file named on the input's first line.
        for name in sorted(os.listdir(work)):
            if name.lower().endswith(".out"):
                with open(os.path.join(work, name), errors="replace") as f:
                    output += f.read()

    problems = []
    if run.returncode != 0:
        problems.append(f"exit status {run.returncode}")
    problems += [line.strip() for line in output.splitlines() if FAILURE_MARKERS.search(line)]
    passed = len(re.findall(r"PASS", output, re.IGNORECASE))
    if passed == 0:
        problems.append("no routine reported as passed")
    if "blat1" not in tester and "END OF TESTS" not in output.upper():
        problems.append("the tester stopped before END OF TESTS")

    # Does the library under test really serve the tester? ldd names the file the loader picks.
    ldd = subprocess.run(["ldd", program], env=env, capture_output=True, text=True).stdout
    libraries = ["libblas.so.3"] + (["liblapack.so.3"] if lapack else [])
    for library in libraries:
        line = next((l.strip() for l in ldd.splitlines() if library in l), library + " not linked")
        if libdir not in line:
            problems.append(f"the tester did not load the library under test: {line}")
    blas_line = next((l.strip() for l in ldd.splitlines() if "libblas.so.3" in l), "libblas.so.3 not linked")

    print(f"{tester}: {passed} routine checks passed; libblas.so.3 from {blas_line.split('=>')[-1].strip()}")
    for problem in problems[:40]:
        print("  problem:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
