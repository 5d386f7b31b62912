#include "nn/ops/winograd.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "common/large_buffer.h"
#include "gemm/thread_pool.h"
#include "nn/ops/winograd/kernels.h"

namespace armory::nn {

size_t WinogradWeights::bytes() const {
  size_t total = 0;
  for (const auto& p : packed) total += p.bytes();
  return total;
}

namespace {

// G for each output tile: U = G g G^T. F(2x2, 3x3) interpolates at 0, 1, -1 and infinity; F(4x4, 3x3) at
// 0, -1, 1, -2, 2 and infinity (the points whose transforms have the smallest coefficients).
constexpr double kG23[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
constexpr double kG43[6][3] = {{1.0 / 4, 0, 0},          {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                               {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

// U = G g G^T for every filter, in double, each element once rounded. Element e = tile * i + j of filter
// (co, ci) lands in row ci, column co of matrix e of u. Sixteen output channels are transformed side by
// side, so the arithmetic runs in vectors over them and each matrix is written 16 columns at a time. One
// filter at a time, in scalar double, ResNet50's 913 k filters took ~40 ms of its ~250 ms load; so, ~28
// (most of it now the writes into fresh pages).
template <int Tile>
void transform_filters(const double (&G)[Tile][3], const float* w, int64_t cout, int64_t cin, float* u) {
  constexpr int kLanes = 16;
  const int64_t plane = cin * cout;
  for (int64_t co0 = 0; co0 < cout; co0 += kLanes) {
    const int lanes = static_cast<int>(std::min<int64_t>(kLanes, cout - co0));
    for (int64_t ci = 0; ci < cin; ++ci) {
      double g[9][kLanes] = {};  // g[k][l]: tap k of filter (co0 + l, ci)
      for (int l = 0; l < lanes; ++l) {
        const float* filter = w + ((co0 + l) * cin + ci) * 9;
        for (int k = 0; k < 9; ++k) g[k][l] = filter[k];
      }
      double gg[Tile][3][kLanes];  // G g
      for (int i = 0; i < Tile; ++i) {
        for (int c = 0; c < 3; ++c) {
          for (int l = 0; l < kLanes; ++l)
            gg[i][c][l] = G[i][0] * g[c][l] + G[i][1] * g[3 + c][l] + G[i][2] * g[6 + c][l];
        }
      }
      float* out = u + ci * cout + co0;
      for (int i = 0; i < Tile; ++i) {
        for (int j = 0; j < Tile; ++j) {
          float value[kLanes];
          for (int l = 0; l < kLanes; ++l) {
            value[l] = static_cast<float>(gg[i][0][l] * G[j][0] + gg[i][1][l] * G[j][1] + gg[i][2][l] * G[j][2]);
          }
          float* dst = out + (Tile * i + j) * plane;
          // A full row as one fixed-size copy: with a run-time length it became a slow `rep movs`.
          if (lanes == kLanes) {
            std::memcpy(dst, value, sizeof value);
          } else {
            std::copy(value, value + lanes, dst);
          }
        }
      }
    }
  }
}

}  // namespace

Result<WinogradWeights> pack_winograd_weights(const float* w, int64_t cout, int64_t cin, FpMath fpmath,
                                              int output_tile) {
  if (output_tile != 2 && output_tile != 4) return invalid("Winograd output tiles are 2x2 or 4x4");
  if (output_tile == 4 && fpmath != FpMath::strict) {
    return invalid("Winograd F(4x4, 3x3) is for float32 only: bf16 fast math takes F(2x2, 3x3)");
  }
  WinogradWeights weights;
  weights.fpmath = fpmath;
  weights.output_tile = output_tile;
  weights.cin = cin;
  weights.cout = cout;
  const int elements = weights.elements();
  // Every element of u is written, so it is not zero-filled first (LargeBuffer, as conv.cpp's direct pack).
  LargeBuffer<float> u(static_cast<size_t>(elements * cin * cout), PageSize::base);
  if (output_tile == 2) {
    transform_filters(kG23, w, cout, cin, u.data());
  } else {
    transform_filters(kG43, w, cout, cin, u.data());
  }
  for (int e = 0; e < elements; ++e) {
    auto packed = pack_b(Layout::row_major, Trans::no, cin, cout, u.data() + e * cin * cout, cout, fpmath);
    if (!packed) return packed.status();
    weights.packed.push_back(std::move(packed.value()));
  }
  return weights;
}

namespace {

using winograd::bf16_t;

// Where a chunk's tiles read and write: per tile, (m+2)^2 input pixels (a row of zeros for padding) and up
// to m^2 output pixels (null beyond the output's edge, when its height or width is not a multiple of m).
struct TileAddresses {
  const Tensor& x;
  const Tensor& y;
  int64_t pad_top, pad_left;
  int output_tile;
  const void* zeros;

  void fill(int64_t first_tile, int64_t count, const void** in, void** out) const {
    const int64_t cin = x.shape()[1], in_h = x.shape()[2], in_w = x.shape()[3];
    const int64_t cout = y.shape()[1], out_h = y.shape()[2], out_w = y.shape()[3];
    const int64_t m = output_tile, tile = m + 2;
    const int64_t tiles_w = (out_w + m - 1) / m, tiles_per_image = (out_h + m - 1) / m * tiles_w;
    const size_t in_bytes = dtype_size(x.dtype()), out_bytes = dtype_size(y.dtype());
    const auto* x_base = static_cast<const char*>(x.data());
    auto* y_base = static_cast<char*>(const_cast<void*>(y.data()));
    for (int64_t t = first_tile; t < first_tile + count; ++t, in += tile * tile, out += m * m) {
      const int64_t b = t / tiles_per_image, ty = t % tiles_per_image / tiles_w, tx = t % tiles_w;
      for (int64_t i = 0; i < tile; ++i) {
        const int64_t iy = m * ty - pad_top + i;
        for (int64_t j = 0; j < tile; ++j) {
          const int64_t ix = m * tx - pad_left + j;
          const bool inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
          in[tile * i + j] = inside ? x_base + ((b * in_h + iy) * in_w + ix) * cin * in_bytes : zeros;
        }
      }
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < m; ++j) {
          const int64_t oy = m * ty + i, ox = m * tx + j;
          out[m * i + j] = oy < out_h && ox < out_w ? y_base + ((b * out_h + oy) * out_w + ox) * cout * out_bytes : nullptr;
        }
      }
    }
  }
};

}  // namespace

Status winograd_conv(Arena& arena, const WinogradWeights& weights, const Tensor& x, int64_t pad_top, int64_t pad_left,
                     Tensor& y, const float* bias, bool accumulate, bool relu) {
  const int64_t batch = x.shape()[0], cin = x.shape()[1], cout = y.shape()[1];
  const int64_t out_h = y.shape()[2], out_w = y.shape()[3];
  if (cin != weights.cin || cout != weights.cout) return invalid("Winograd weights do not match the convolution");
  const bool v_bf16 = weights.fpmath == FpMath::bf16;
  if (x.dtype() == DType::bfloat16 && !v_bf16) return invalid("a bfloat16 input needs bf16 Winograd weights");
  const int m_tile = weights.output_tile, elements = weights.elements();
  if (m_tile == 4 && y.dtype() != DType::float32) return invalid("Winograd F(4x4, 3x3) writes float32 only");
  const int64_t in_pixels_per_tile = elements, out_pixels_per_tile = m_tile * m_tile;
  const winograd::Transforms transforms = winograd::selected_transform_row().transforms();

  const int64_t tiles = batch * ((out_h + m_tile - 1) / m_tile) * ((out_w + m_tile - 1) / m_tile);
  if (tiles == 0) return {};  // an empty batch
  // Chunks of tiles whose transformed tiles (V) and products (M) stay in L2 from one step to the next, and
  // which are large enough that reading all the weight matrices once per chunk costs no more than moving
  // their V and M: deep layers (3x3x512x512: 8 MiB of bf16 weights, 48 KiB per tile) take chunks spilling
  // to L3, where 12 tiles per chunk would stream the weights from L3 at 30 GB/s.
  const int64_t tile_bytes = elements * (cin * (v_bf16 ? 2 : 4) + cout * 4);
  const int64_t weight_bytes = static_cast<int64_t>(weights.bytes());
  const int64_t fitting = std::max((int64_t{512} << 10) / tile_bytes, weight_bytes / tile_bytes);
  const int64_t chunk = std::min(tiles, std::clamp<int64_t>(fitting / 12 * 12, 12, 240));
  const int64_t chunks = (tiles + chunk - 1) / chunk;
  const int threads = static_cast<int>(std::min<int64_t>(ThreadPool::global().max_threads(), chunks));
  // Enough chunks: each thread takes whole ones. Otherwise one chunk at a time, its steps spread out.
  const bool per_thread_chunks = threads > 1 && chunks >= 2 * int64_t{threads};
  const int buffers = per_thread_chunks ? threads : 1;

  // Between the matrices of a chunk, one cache line more than their size: the transforms touch all of them
  // at once, and at a multiple of 4 KiB apart they would share one set of L1 (and alias in the store
  // buffer), which made the input transform half as fast.
  const int64_t v_stride = chunk * cin + (v_bf16 ? 32 : 16), m_stride = chunk * cout + 16;
  Tensor v = arena.allocate(v_bf16 ? DType::bfloat16 : DType::float32, {buffers, elements, v_stride});
  Tensor m = arena.allocate(DType::float32, {buffers, elements, m_stride});
  const std::vector<float> zeros(cin, 0.0f);  // a padding pixel, in either input type
  const TileAddresses addresses{x, y, pad_top, pad_left, m_tile, zeros.data()};
  std::vector<const void*> in_pixels(static_cast<size_t>(buffers * chunk * in_pixels_per_tile));
  std::vector<void*> out_pixels(static_cast<size_t>(buffers * chunk * out_pixels_per_tile));

  auto transform_in = [&](int buffer, int64_t begin, int64_t end) {
    const void* const* pixels = in_pixels.data() + (buffer * chunk + begin) * in_pixels_per_tile;
    if (!v_bf16) {
      float* dst = v.mutable_data_as<float>() + buffer * elements * v_stride + begin * cin;
      const auto input = m_tile == 4 ? transforms.input_f32_f43 : transforms.input_f32;
      return input(reinterpret_cast<const float* const*>(pixels), end - begin, cin, dst, v_stride);
    }
    bf16_t* dst = v.mutable_data_as<bf16_t>() + buffer * elements * v_stride + begin * cin;
    if (x.dtype() == DType::bfloat16) {
      return transforms.input_bf16(reinterpret_cast<const bf16_t* const*>(pixels), end - begin, cin, dst, v_stride);
    }
    transforms.input_f32_to_bf16(reinterpret_cast<const float* const*>(pixels), end - begin, cin, dst, v_stride);
  };
  auto multiply = [&](int buffer, int e, int64_t count) {
    float* product = m.mutable_data_as<float>() + (buffer * elements + e) * m_stride;
    if (v_bf16) {
      const bf16_t* a = v.data_as<bf16_t>() + (buffer * elements + e) * v_stride;
      return gemm_packed(Trans::no, count, 1.0f, a, cin, weights.packed[e], 0.0f, product, cout);
    }
    const float* a = v.data_as<float>() + (buffer * elements + e) * v_stride;
    return gemm_packed(Trans::no, count, 1.0f, a, cin, weights.packed[e], 0.0f, product, cout);
  };
  auto transform_out = [&](int buffer, int64_t begin, int64_t end) {
    const float* products = m.data_as<float>() + buffer * elements * m_stride + begin * cout;
    void* const* pixels = out_pixels.data() + (buffer * chunk + begin) * out_pixels_per_tile;
    if (y.dtype() == DType::bfloat16) {
      return transforms.output_bf16(products, m_stride, end - begin, cout, bias, relu, accumulate,
                                    reinterpret_cast<bf16_t* const*>(pixels));
    }
    const auto output = m_tile == 4 ? transforms.output_f32_f43 : transforms.output_f32;
    output(products, m_stride, end - begin, cout, bias, relu, accumulate, reinterpret_cast<float* const*>(pixels));
  };

  Status status;
  std::mutex failure_lock;
  std::atomic<bool> failed{false};
  auto record = [&](const Status& s) {
    if (s) return;
    std::lock_guard<std::mutex> guard(failure_lock);
    if (status) status = s;
    failed = true;
  };

  if (per_thread_chunks) {
    std::atomic<int64_t> next{0};
    // Chunks go to whichever thread is free; a share (one buffer) runs on one thread at a time.
    ThreadPool::global().parallel_shares(threads, [&](int buffer) {
      for (int64_t c = next++; c < chunks && !failed; c = next++) {
        const int64_t first = c * chunk, count = std::min(chunk, tiles - first);
        addresses.fill(first, count, in_pixels.data() + buffer * chunk * in_pixels_per_tile,
                       out_pixels.data() + buffer * chunk * out_pixels_per_tile);
        transform_in(buffer, 0, count);
        for (int e = 0; e < elements; ++e) record(multiply(buffer, e, count));
        if (failed) break;
        transform_out(buffer, 0, count);
      }
    });
  } else {
    for (int64_t first = 0; first < tiles && !failed; first += chunk) {
      const int64_t count = std::min(chunk, tiles - first);
      addresses.fill(first, count, in_pixels.data(), out_pixels.data());
      parallel_for(count, 8, [&](int64_t begin, int64_t end) { transform_in(0, begin, end); });
      // Few tiles: the products go to the threads whole, each GEMM on one thread.
      std::atomic<int> next_e{0};
      ThreadPool::global().parallel_shares(std::min(ThreadPool::global().max_threads(), elements), [&](int) {
        for (int e = next_e++; e < elements; e = next_e++) record(multiply(0, e, count));
      });
      if (failed) break;
      parallel_for(count, 8, [&](int64_t begin, int64_t end) { transform_out(0, begin, end); });
    }
  }
  arena.release(std::move(v));
  arena.release(std::move(m));
  return status;
}

}  // namespace armory::nn
