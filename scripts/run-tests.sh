#!/usr/bin/env bash
# The README's test command: install what is missing, build every flavour and run every test suite:
#   native ctest, the ASan+UBSan ctest, and the aarch64 ctest under qemu at several CPU models and SVE
#   vector lengths. Every suite runs even when an earlier one fails; the exit code is non-zero when any
#   test failed. The last line sums them up as "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

# qemu-aarch64 CPU settings: N2-like (SVE 128), SVE 256 (V1's length), SVE 512, NEON only with BF16, and
# Neoverse N1 (NEON, no BF16). Each runs the tests without ARMORY_ISA (the best level that CPU has) and the
# forced levels whose code that leaves untested: under the N2-like model scalar, NEON and SVE (NEON and
# scalar forced on an SVE CPU also prove the cap hides SVE), at the other vector lengths SVE, without SVE
# plain NEON. A forced run of a CPU's best level repeats its unforced run, and NEON+BF16 forced under the
# N2-like model repeats the unforced run without SVE: the two took 2.3 of that model's 7 minutes. QEMU_EXPECT
# names each CPU's best level (checked by HostCpu.BestLevelIsTheOneTheTestCommandExpects), so that the
# unforced runs really cover the levels left out.
QEMU_CPUS=("max,sve128=on" "max,sve256=on" "max,sve512=on" "max,sve=off" "neoverse-n1")
QEMU_EXPECT=("sve_bf16/128" "sve_bf16/256" "sve_bf16/512" "neon_bf16" "neon")
QEMU_EXCLUDE=("^isa=(neon_bf16|sve_bf16):" "^isa=(scalar|neon|neon_bf16|sve_bf16):"
              "^isa=(scalar|neon|neon_bf16|sve_bf16):" "^isa=(scalar|neon_bf16|sve|sve_bf16):" "^isa=")

bash scripts/install-deps.sh || exit 1

total_pass=0 total_fail=0 total_skip=0
failed_suites=()
# Wall time of each build and suite, printed at the end: the whole command must stay within CI's budget.
step_times=()

# run_suite NAME BUILD_DIR EXCLUDE_REGEX [ENV=VALUE...]: runs ctest (without the tests the regex matches,
# when not empty), adds its counts from the JUnit report.
run_suite() {
  local name=$1 dir=$2 exclude=$3; shift 3
  local report="$PWD/build/junit-$name.xml"
  local filter=()
  [ -z "$exclude" ] || filter=(-E "$exclude")
  echo "=== suite $name"
  local start=$SECONDS
  env "$@" ctest --test-dir "$dir" "${filter[@]}" --output-on-failure -j "$(nproc)" --timeout 600 \
      --output-junit "$report" | grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed '
  local tests failures skipped
  read -r tests failures skipped < <(/usr/bin/python3 - "$report" <<'PY' 2>/dev/null
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
cases = suite.findall("testcase")
failed = sum(1 for c in cases if c.find("failure") is not None or c.get("status") == "fail")
skipped = sum(1 for c in cases if c.find("skipped") is not None or c.get("status") in ("notrun", "disabled"))
print(len(cases), failed, skipped)
PY
)
  step_times+=("$name $((SECONDS - start)) s")
  if [ -z "$tests" ] || [ "$tests" -eq 0 ]; then
    echo "suite $name: ran no test" >&2
    failed_suites+=("$name"); total_fail=$((total_fail + 1)); return
  fi
  total_pass=$((total_pass + tests - failures - skipped))
  total_fail=$((total_fail + failures))
  total_skip=$((total_skip + skipped))
  [ "$failures" -eq 0 ] || failed_suites+=("$name")
}

build_or_fail() {
  local start=$SECONDS status=0
  bash scripts/build.sh "$1" || status=$?
  step_times+=("build-$1 $((SECONDS - start)) s")
  if [ "$status" -ne 0 ]; then
    echo "build $1 failed" >&2
    failed_suites+=("build-$1"); total_fail=$((total_fail + 1))
    return 1
  fi
}

if build_or_fail native; then run_suite native build/native ""; fi
if build_or_fail asan; then
  run_suite asan build/asan "" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
fi
if build_or_fail aarch64; then
  for i in "${!QEMU_CPUS[@]}"; do
    run_suite "aarch64[${QEMU_CPUS[$i]}]" build/aarch64 "${QEMU_EXCLUDE[$i]}" "QEMU_CPU=${QEMU_CPUS[$i]}" \
      "ARMORY_TEST_EXPECT=${QEMU_EXPECT[$i]}"
  done
fi

echo
printf 'time:'; printf ' %s;' "${step_times[@]}"; echo " total $SECONDS s"
if [ ${#failed_suites[@]} -gt 0 ]; then echo "failed suites: ${failed_suites[*]}"; fi
echo "tests: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
