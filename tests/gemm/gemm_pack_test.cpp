// B's packing into micro-panels (gemm/pack.h) checked element by element against the layout the kernels
// read: every k group and type, both orientations, depths and widths that leave a partial k group and a
// partial last panel, panels further apart than their size (whose gaps must stay untouched), and the
// kernels' own ISA interleaves beside the portable loops.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gemm/kernel_table.h"
#include "gemm/pack.h"
#include "gemm_reference.h"

namespace armory {
namespace {

using namespace gemm_engine;

constexpr uint16_t kSentinel = 0x7bad;

template <class T>
T sentinel() {
  if constexpr (std::is_same_v<T, bf16_t>) {
    return kSentinel;
  } else {
    return T(-12345.0);
  }
}

// Values in [-1, 1) from testing::random_matrix, rounded for bf16 inputs: no denormals, which the ISA
// conversions flush to zero and the portable rounding keeps.
template <class In>
std::vector<In> random_values(size_t count, std::mt19937& rng) {
  if constexpr (std::is_same_v<In, bf16_t>) {
    const auto values = testing::random_matrix<float>(count, rng);
    std::vector<In> out(count);
    for (size_t i = 0; i < count; ++i) out[i] = round_to_bf16(values[i]);
    return out;
  } else {
    return testing::random_matrix<In>(count, rng);
  }
}

// Packs op(B) (stored k_stored x n_stored row-major, or its transpose) at depth [p0, p0+kc) x columns
// [col0, col0+cols) and checks every element of every panel, and that the gaps between panels are untouched.
template <class Packed, class In>
void check_pack(int k_group, bool trans, int64_t kc, int64_t cols, int nr, const PairInterleave& interleave,
                std::mt19937& rng) {
  const int64_t p0 = 3, col0 = 5, depth = p0 + kc + 2, width = col0 + cols + 7;
  const int64_t ld = (trans ? depth : width) + 3;
  const auto b = random_values<In>(static_cast<size_t>((trans ? width : depth) * ld), rng);
  const MatrixView<In> view{b.data(), ld, trans};
  const int64_t kc_padded = (kc + k_group - 1) / k_group * k_group;
  const int64_t panels = (cols + nr - 1) / nr, panel_size = kc_padded * nr, panel_stride = panel_size + 40;
  std::vector<Packed> out(static_cast<size_t>(panels * panel_stride), sentinel<Packed>());
  pack_b_panels(view, p0, kc, col0, cols, nr, k_group, out.data(), panel_stride, interleave);

  const std::string what = std::string(trans ? "transposed" : "row-major") + " k_group=" + std::to_string(k_group) +
                           " kc=" + std::to_string(kc) + " cols=" + std::to_string(cols) + " nr=" + std::to_string(nr) +
                           (interleave.from_f32 || interleave.from_bf16 ? " (ISA interleave)" : "");
  int64_t wrong = 0;
  for (int64_t q = 0; q < panels; ++q) {
    for (int64_t p = 0; p < kc_padded; ++p) {
      for (int64_t j = 0; j < nr; ++j) {
        const int64_t column = q * nr + j;
        const Packed expected = p < kc && column < cols ? to_packed<Packed>(view.at(p0 + p, col0 + column)) : Packed(0);
        const Packed got = out[q * panel_stride + (p / k_group * nr + j) * k_group + p % k_group];
        if (got != expected && ++wrong <= 5) {
          ADD_FAILURE() << what << ": panel " << q << " depth " << p << " column " << j << " holds " << +got
                        << ", expected " << +expected;
        }
      }
    }
    for (int64_t gap = panel_size; gap < panel_stride; ++gap) {
      if (out[q * panel_stride + gap] != sentinel<Packed>() && ++wrong <= 5) {
        ADD_FAILURE() << what << ": panel " << q << " wrote into the gap after it, at " << gap - panel_size;
      }
    }
  }
  EXPECT_EQ(wrong, 0) << what;
}

template <class Packed, class In>
void sweep(int k_group, const PairInterleave& interleave, unsigned seed) {
  std::mt19937 rng(seed);
  for (bool trans : {false, true}) {
    for (int nr : {16, 32}) {
      for (int64_t kc : {1, 2, 3, 4, 7, 64, 65}) {
        for (int64_t cols : {1, 5, 16, 17, 31, 32, 33, 70, 96})
          check_pack<Packed, In>(k_group, trans, kc, cols, nr, interleave, rng);
      }
    }
  }
}

// Packs op(A) rows [row0, row0+rows) x depth [p0, p0+kc) into mr-row panels and checks every element,
// missing rows zero: full panels of a transposed A take fixed-height copies for the kernels' heights (6, 8,
// 12, 16), the rest the general loop.
template <class T>
void check_pack_a(bool trans, int64_t kc, int64_t rows, int mr, std::mt19937& rng) {
  const int64_t p0 = 2, row0 = 3, depth = p0 + kc + 1, height = row0 + rows + 4;
  const int64_t ld = (trans ? height : depth) + 5;
  const auto a = random_values<T>(static_cast<size_t>((trans ? depth : height) * ld), rng);
  const MatrixView<T> view{a.data(), ld, trans};
  const int64_t panels = (rows + mr - 1) / mr;
  std::vector<T> out(static_cast<size_t>(panels * mr * kc + 16), sentinel<T>());
  pack_a(view, row0, rows, p0, kc, mr, 1, out.data());
  int64_t wrong = 0;
  for (int64_t q = 0; q < panels; ++q) {
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t i = 0; i < mr; ++i) {
        const int64_t row = q * mr + i;
        const T expected = row < rows ? view.at(row0 + row, p0 + p) : T(0);
        const T got = out[static_cast<size_t>(q * mr * kc + p * mr + i)];
        if (got != expected && ++wrong <= 5) {
          ADD_FAILURE() << (trans ? "transposed" : "row-major") << " mr=" << mr << " rows=" << rows << " kc=" << kc
                        << ": panel " << q << " depth " << p << " row " << i << " holds " << got;
        }
      }
    }
  }
  for (size_t e = static_cast<size_t>(panels * mr * kc); e < out.size(); ++e) {
    if (out[e] != sentinel<T>() && ++wrong <= 5) ADD_FAILURE() << "written past the panels at " << e;
  }
  EXPECT_EQ(wrong, 0);
}

TEST(GemmPack, APanelsOfEveryKernelHeight) {
  std::mt19937 rng(9);
  for (bool trans : {false, true}) {
    for (int mr : {4, 6, 8, 12, 16}) {
      for (int64_t kc : {1, 7, 64}) {
        for (int64_t rows : {1, 5, 6, 8, 12, 13, 16, 35}) {
          check_pack_a<float>(trans, kc, rows, mr, rng);
          check_pack_a<double>(trans, kc, rows, mr, rng);
        }
      }
    }
  }
}

// The rows the unpacked-A kernels read, copied from A (convert_rows): a transposed A goes through
// transpose_copy's register squares, with rows and depths that leave ragged edges; a row's padding to
// kc_padded is zeros and nothing past it is written.
template <class T>
void check_converted_rows(bool trans, int64_t rows, int64_t kc, std::mt19937& rng) {
  const int64_t total_rows = rows + 3, depth = kc + 5, kc_padded = kc + 4;
  const int64_t ld = trans ? total_rows + 2 : depth + 1;
  std::vector<T> a(static_cast<size_t>(ld * (trans ? depth : total_rows)));
  std::uniform_real_distribution<double> value(-1.0, 1.0);
  for (T& x : a) x = T(value(rng));
  const MatrixView<T> view{a.data(), ld, trans};
  std::vector<T> out(static_cast<size_t>(rows * kc_padded + 7), sentinel<T>());
  const int64_t row0 = 2, p0 = 3;
  convert_rows(view, row0, rows, p0, kc, kc_padded, out.data());
  int wrong = 0;
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t p = 0; p < kc_padded; ++p) {
      const T want = p < kc ? view.at(row0 + i, p0 + p) : T(0);
      if (out[i * kc_padded + p] != want && ++wrong <= 5) {
        ADD_FAILURE() << (trans ? "transposed " : "") << rows << " x " << kc << ": row " << i << " depth " << p;
      }
    }
  }
  for (size_t e = static_cast<size_t>(rows * kc_padded); e < out.size(); ++e) {
    if (out[e] != sentinel<T>() && ++wrong <= 5) ADD_FAILURE() << "written past the rows at " << e;
  }
  EXPECT_EQ(wrong, 0);
}

TEST(GemmPack, RowsForTheUnpackedAKernels) {
  std::mt19937 rng(11);
  for (bool trans : {false, true}) {
    for (int64_t rows : {1, 2, 3, 4, 5, 6, 8, 13}) {
      for (int64_t kc : {1, 2, 3, 4, 7, 9, 64}) {
        check_converted_rows<float>(trans, rows, kc, rng);
        check_converted_rows<double>(trans, rows, kc, rng);
      }
    }
  }
}

TEST(GemmPack, F32AndF64Panels) {
  sweep<float, float>(1, {}, 1);
  sweep<double, double>(1, {}, 2);
}

TEST(GemmPack, Bf16PairsAndQuadsFromF32AndBf16) {
  for (int k_group : {2, 4}) {
    sweep<bf16_t, float>(k_group, {}, 3);
    sweep<bf16_t, bf16_t>(k_group, {}, 4);
  }
}

// The interleaves of every bf16 pair kernel this CPU runs give the portable loops' bits.
TEST(GemmPack, KernelInterleavesMatchThePortableLoops) {
  auto policy = make_isa_policy(host_cpu(), nullptr);
  ASSERT_TRUE(policy.ok());
  int checked = 0;
  for (const auto& kernel : bf16_kernels()) {
    if (!rejection_reason(kernel.id, host_cpu(), policy.value()).empty()) continue;
    if (kernel.interleave_b.from_f32 == nullptr && kernel.interleave_b.from_bf16 == nullptr) continue;
    SCOPED_TRACE(kernel.id.name);
    sweep<bf16_t, float>(kernel.k_group, {kernel.interleave_b.from_f32, nullptr}, 5);
    sweep<bf16_t, bf16_t>(kernel.k_group, {nullptr, kernel.interleave_b.from_bf16}, 6);
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no bf16 kernel with its own interleave runs on this CPU";
}

// The fp32 -> bf16 conversions BF16 fast math applies to A's rows give round_to_bf16's bits: ties both ways,
// values that round up into the next binade and into infinity, infinities and NaNs, at every length around
// the vector widths (denormals left out: the ISA conversions flush them to zero).
TEST(GemmPack, KernelConversionsMatchThePortableRounding) {
  auto policy = make_isa_policy(host_cpu(), nullptr);
  ASSERT_TRUE(policy.ok());
  std::mt19937 rng(7);
  // The special values among the first 30, every other one, and random ones around and after them.
  std::vector<float> values = testing::random_matrix<float>(200, rng);
  int64_t at = 1;
  for (uint32_t bits : {0x3f808000u, 0x3f818000u, 0x3f80ffffu, 0x3fff8000u, 0x7f7fffffu, 0xff7f8000u, 0x7f800000u,
                        0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffbfffffu, 0x00000000u, 0x80000000u}) {
    std::memcpy(&values[at], &bits, sizeof(float));
    at += 2;
  }
  int checked = 0;
  for (const auto& kernel : bf16_kernels()) {
    if (!rejection_reason(kernel.id, host_cpu(), policy.value()).empty() || kernel.convert_a == nullptr) continue;
    for (int64_t n = 0; n <= 40; ++n) {
      for (int64_t first : {int64_t{0}, int64_t{1}, static_cast<int64_t>(values.size()) - 40}) {
        std::vector<bf16_t> got(static_cast<size_t>(n) + 1, kSentinel);
        kernel.convert_a(values.data() + first, n, got.data());
        for (int64_t i = 0; i < n; ++i) {
          EXPECT_EQ(got[i], round_to_bf16(values[first + i]))
              << kernel.id.name << ": n=" << n << " element " << first + i << " (" << values[first + i] << ")";
        }
        EXPECT_EQ(got[n], kSentinel) << kernel.id.name << " wrote past n=" << n;
      }
    }
    std::vector<bf16_t> all(values.size());
    kernel.convert_a(values.data(), static_cast<int64_t>(values.size()), all.data());
    for (size_t i = 0; i < values.size(); ++i)
      EXPECT_EQ(all[i], round_to_bf16(values[i])) << kernel.id.name << " " << i;
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no bf16 kernel with its own conversion runs on this CPU";
}

}  // namespace
}  // namespace armory
