#!/usr/bin/env python3
"""Static throughput estimate of armory's GEMM micro-kernels with llvm-mca.

We have no Arm hardware, so the aarch64 kernels' speed is estimated: each kernel file is compiled to
assembly with the flags the build gives it, its hottest loop (the loop with the most FMA-class
instructions) is cut out and run through llvm-mca's model of the target core. The report gives the
predicted FLOPs per cycle as a share of that core's peak. The x86 kernels go through the same tool with
the Zen 5 model, beside the efficiency measured on this machine, to show how far the model can be trusted.

Usage: tools/mca_report.py [--markdown FILE]   (installs llvm-19 from Debian when missing)
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MCA = "llvm-mca-19"

# (kernel file, compiler, flags, llvm-mca triple, [(mcpu, vector bits, peak fp32/fp64/bf16 FLOPs per cycle)])
# Peaks: N2 and V1 from their FMA pipes (N2: 2 x 128-bit, V1: 4 x 128-bit or 2 x 256-bit SVE); BF16 MMLA
# peaks from the llvm-mca models' BFMMLA throughput (2 per cycle on N2, 4 per cycle on V1, 32 FLOPs each
# per 128 bits). Zen 5: 2 x 512-bit FMA, vdpbf16ps at the same rate with twice the FLOPs.
AARCH64_CC = "aarch64-linux-gnu-g++"
X86_CC = "g++"
N2 = ("neoverse-n2", 128, {"f32": 16, "f64": 8, "bf16": 64})
V1 = ("neoverse-v1", 256, {"f32": 32, "f64": 16, "bf16": 128})
N1 = ("neoverse-n1", 128, {"f32": 16, "f64": 8, "bf16": 0})
ZEN5 = ("znver5", 512, {"f32": 64, "f64": 32, "bf16": 128})
KERNELS = [
    ("gemm_f32_8x12__neon.cpp", AARCH64_CC, ["-march=armv8-a"], "aarch64", "f32", [N1, N2, V1]),
    ("gemm_f64_8x6__neon.cpp", AARCH64_CC, ["-march=armv8-a"], "aarch64", "f64", [N1, N2, V1]),
    ("gemm_f32_8x3vl__sve.cpp", AARCH64_CC, ["-march=armv8.2-a+sve"], "aarch64", "f32", [N2, V1]),
    ("gemm_f64_8x3vl__sve.cpp", AARCH64_CC, ["-march=armv8.2-a+sve"], "aarch64", "f64", [N2, V1]),
    ("gemm_bf16_8x8__neonbfmmla.cpp", AARCH64_CC, ["-march=armv8.2-a+bf16"], "aarch64", "bf16", [N2, V1]),
    ("gemm_bf16_8x12__neonbfdot.cpp", AARCH64_CC, ["-march=armv8.2-a+bf16"], "aarch64", "bf16", [N2, V1]),
    ("gemm_bf16_8x4vl__svebfmmla.cpp", AARCH64_CC, ["-march=armv8.2-a+sve+bf16"], "aarch64", "bf16", [N2, V1]),
    ("gemm_f32_12x32__avx512.cpp", X86_CC, ["-mavx2", "-mfma", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl"],
     "x86_64", "f32", [ZEN5]),
    ("gemm_f64_12x16__avx512.cpp", X86_CC, ["-mavx2", "-mfma", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl"],
     "x86_64", "f64", [ZEN5]),
    ("gemm_bf16_12x32__avx512bf16.cpp", X86_CC,
     ["-mavx2", "-mfma", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx512bf16"], "x86_64", "bf16",
     [ZEN5]),
]


def ensure_tools():
    missing = [p for p, tool in (("llvm-19", MCA), ("g++-aarch64-linux-gnu", AARCH64_CC)) if not shutil.which(tool)]
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)


def flops(instruction, vector_bits):
    """FLOPs one instruction does, or 0 when it is not an FMA-class instruction."""
    text = instruction.strip()
    mnemonic = text.split()[0] if text else ""
    if mnemonic == "fmla":
        if ".4s" in text:
            return 8
        if ".2d" in text:
            return 4
        if re.search(r"z\d+\.s", text):
            return 2 * vector_bits // 32
        if re.search(r"z\d+\.d", text):
            return 2 * vector_bits // 64
    if mnemonic == "bfdot":
        return 16 * (vector_bits // 128 if re.search(r"\bz\d+", text) else 1)
    if mnemonic == "bfmmla":
        return 32 * (vector_bits // 128 if re.search(r"\bz\d+", text) else 1)
    if mnemonic.startswith("vfmadd") or mnemonic.startswith("vfnmadd"):
        width = 512 if "zmm" in text else 256 if "ymm" in text else 128
        lane = 64 if mnemonic.endswith("pd") else 32
        return 2 * width // lane
    if mnemonic == "vdpbf16ps":
        width = 512 if "zmm" in text else 256 if "ymm" in text else 128
        return 4 * width // 32
    return 0


def hottest_loop(assembly, vector_bits):
    """The body of the innermost loop (label ... backward branch to it, no other label between) with the
    most FMA-class FLOPs."""
    lines = [l for l in assembly.splitlines()]
    labels = {}
    best = (0, [])
    for i, line in enumerate(lines):
        m = re.match(r"^(\.L\w+):", line)
        if m:
            labels[m.group(1)] = i
            continue
        m = re.search(r"\s(\.L\w+)\s*$", line)
        if m and m.group(1) in labels and labels[m.group(1)] < i:
            region = lines[labels[m.group(1)] + 1:i + 1]
            if any(re.match(r"^\.L\w+:", l) for l in region):
                continue  # not innermost
            body = [l for l in region if l.strip() and not l.strip().startswith(".")]
            total = sum(flops(l, vector_bits) for l in body)
            if total > best[0]:
                best = (total, body)
    return best


def mca_cycles(body, triple, mcpu):
    with tempfile.NamedTemporaryFile("w", suffix=".s", delete=False) as f:
        if triple == "x86_64":
            f.write(".att_syntax\n")
        f.write("\n".join(body) + "\n")
        path = f.name
    try:
        out = subprocess.run([MCA, f"-mtriple={triple}-linux-gnu", f"-mcpu={mcpu}", "-iterations=500", path],
                             capture_output=True, text=True)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1] if out.stderr else "llvm-mca failed"
    iterations = int(re.search(r"Iterations:\s+(\d+)", out.stdout).group(1))
    cycles = int(re.search(r"Total Cycles:\s+(\d+)", out.stdout).group(1))
    return cycles / iterations, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", help="write the table to this file")
    args = parser.parse_args()
    ensure_tools()
    rows = []
    for name, cc, flags, triple, dtype, cores in KERNELS:
        source = os.path.join(ROOT, "src", "gemm", "kernels", name)
        asm = subprocess.run([cc, "-std=c++20", "-O3", f"-I{os.path.join(ROOT, 'src')}", *flags, "-S", "-o", "-",
                              source], capture_output=True, text=True, check=True).stdout
        for mcpu, bits, peaks in cores:
            loop_flops, body = hottest_loop(asm, bits)
            if not body:
                rows.append((name, mcpu, bits, "-", "-", "-", "no loop found"))
                continue
            cycles, err = mca_cycles(body, triple, mcpu)
            if cycles is None:
                rows.append((name, mcpu, bits, loop_flops, "-", "-", err))
                continue
            per_cycle = loop_flops / cycles
            share = 100 * per_cycle / peaks[dtype] if peaks[dtype] else 0
            rows.append((name, mcpu, bits, loop_flops, f"{cycles:.2f}", f"{per_cycle:.1f} ({share:.0f}% of {peaks[dtype]})", ""))
    header = "| kernel | core (llvm-mca -mcpu) | vector bits | FLOPs per loop iteration | cycles per iteration | FLOPs per cycle (% of peak) | note |"
    lines = [header, "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
