#include "nn/ops/winograd.h"

#include "common/large_buffer.h"
#include "gemm/thread_pool.h"
#include "nn/ops/winograd/kernels.h"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace armory::nn {

size_t WinogradWeights::bytes() const {
  size_t total = 0;
  for (const auto& p : packed) total += p.bytes();
  return total;
}

Result<WinogradWeights> pack_winograd_weights(const float* w, int64_t cout, int64_t cin, FpMath fpmath) {
  // U = G g G^T with G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], in double, each element once rounded.
  // Element e = 4 * i + j of filter (co, ci) lands in row ci, column co of matrix e. Every element is
  // written, so the buffer is not zero-filled first (LargeBuffer, as conv.cpp's direct pack uses).
  LargeBuffer<float> u(static_cast<size_t>(16 * cin * cout));
  for (int64_t ci = 0; ci < cin; ++ci) {
    for (int64_t co = 0; co < cout; ++co) {
      const float* g = w + (co * cin + ci) * 9;
      double gg[4][3];  // G g
      for (int c = 0; c < 3; ++c) {
        const double g0 = g[c], g1 = g[3 + c], g2 = g[6 + c];
        gg[0][c] = g0;
        gg[1][c] = 0.5 * (g0 + g1 + g2);
        gg[2][c] = 0.5 * (g0 - g1 + g2);
        gg[3][c] = g2;
      }
      for (int i = 0; i < 4; ++i) {
        const double row[4] = {gg[i][0], 0.5 * (gg[i][0] + gg[i][1] + gg[i][2]), 0.5 * (gg[i][0] - gg[i][1] + gg[i][2]),
                               gg[i][2]};
        for (int j = 0; j < 4; ++j) u.data()[((4 * i + j) * cin + ci) * cout + co] = static_cast<float>(row[j]);
      }
    }
  }
  WinogradWeights weights;
  weights.fpmath = fpmath;
  weights.cin = cin;
  weights.cout = cout;
  for (int e = 0; e < 16; ++e) {
    auto packed = pack_b(Layout::row_major, Trans::no, cin, cout, u.data() + e * cin * cout, cout, fpmath);
    if (!packed) return packed.status();
    weights.packed.push_back(std::move(packed.value()));
  }
  return weights;
}

namespace {

using winograd::bf16_t;

// Where a chunk's tiles read and write: per tile, 16 input pixels (a row of zeros for padding) and up to
// four output pixels (null beyond the output's edge, when its height or width is odd).
struct TileAddresses {
  const Tensor& x;
  const Tensor& y;
  int64_t pad_top, pad_left;
  const void* zeros;

  void fill(int64_t first_tile, int64_t count, const void** in, void** out) const {
    const int64_t cin = x.shape()[1], in_h = x.shape()[2], in_w = x.shape()[3];
    const int64_t cout = y.shape()[1], out_h = y.shape()[2], out_w = y.shape()[3];
    const int64_t tiles_w = (out_w + 1) / 2, tiles_per_image = (out_h + 1) / 2 * tiles_w;
    const size_t in_bytes = dtype_size(x.dtype()), out_bytes = dtype_size(y.dtype());
    const auto* x_base = static_cast<const char*>(x.data());
    auto* y_base = static_cast<char*>(const_cast<void*>(y.data()));
    for (int64_t t = first_tile; t < first_tile + count; ++t, in += 16, out += 4) {
      const int64_t b = t / tiles_per_image, ty = t % tiles_per_image / tiles_w, tx = t % tiles_w;
      for (int i = 0; i < 4; ++i) {
        const int64_t iy = 2 * ty - pad_top + i;
        for (int j = 0; j < 4; ++j) {
          const int64_t ix = 2 * tx - pad_left + j;
          const bool inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
          in[4 * i + j] = inside ? x_base + ((b * in_h + iy) * in_w + ix) * cin * in_bytes : zeros;
        }
      }
      for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
          const int64_t oy = 2 * ty + i, ox = 2 * tx + j;
          out[2 * i + j] = oy < out_h && ox < out_w ? y_base + ((b * out_h + oy) * out_w + ox) * cout * out_bytes : nullptr;
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
  const winograd::Transforms transforms = winograd::selected_transform_row().transforms();

  const int64_t tiles = batch * ((out_h + 1) / 2) * ((out_w + 1) / 2);
  if (tiles == 0) return {};  // an empty batch
  // Chunks of tiles whose transformed tiles (V) and products (M) stay in L2 from one step to the next, and
  // which are large enough that reading all 16 weight matrices once per chunk costs no more than moving
  // their V and M: deep layers (3x3x512x512: 8 MiB of bf16 weights, 48 KiB per tile) take chunks spilling
  // to L3, where 12 tiles per chunk would stream the weights from L3 at 30 GB/s.
  const int64_t tile_bytes = 16 * (cin * (v_bf16 ? 2 : 4) + cout * 4);
  const int64_t weight_bytes = static_cast<int64_t>(weights.bytes());
  const int64_t fitting = std::max((int64_t{512} << 10) / tile_bytes, weight_bytes / tile_bytes);
  const int64_t chunk = std::min(tiles, std::clamp<int64_t>(fitting / 12 * 12, 12, 240));
  const int64_t chunks = (tiles + chunk - 1) / chunk;
  const int threads = static_cast<int>(std::min<int64_t>(ThreadPool::global().max_threads(), chunks));
  // Enough chunks: each thread takes whole ones. Otherwise one chunk at a time, its steps spread out.
  const bool per_thread_chunks = threads > 1 && chunks >= 2 * int64_t{threads};
  const int buffers = per_thread_chunks ? threads : 1;

  // Between the 16 matrices of a chunk, one cache line more than their size: the transforms touch all 16
  // at once, and at a multiple of 4 KiB apart they would share one set of L1 (and alias in the store
  // buffer), which made the input transform half as fast.
  const int64_t v_stride = chunk * cin + (v_bf16 ? 32 : 16), m_stride = chunk * cout + 16;
  Tensor v = arena.allocate(v_bf16 ? DType::bfloat16 : DType::float32, {buffers, 16, v_stride});
  Tensor m = arena.allocate(DType::float32, {buffers, 16, m_stride});
  const std::vector<float> zeros(cin, 0.0f);  // a padding pixel, in either input type
  const TileAddresses addresses{x, y, pad_top, pad_left, zeros.data()};
  std::vector<const void*> in_pixels(static_cast<size_t>(buffers * chunk * 16));
  std::vector<void*> out_pixels(static_cast<size_t>(buffers * chunk * 4));

  auto transform_in = [&](int buffer, int64_t begin, int64_t end) {
    const void* const* pixels = in_pixels.data() + (buffer * chunk + begin) * 16;
    if (!v_bf16) {
      float* dst = v.mutable_data_as<float>() + buffer * 16 * v_stride + begin * cin;
      return transforms.input_f32(reinterpret_cast<const float* const*>(pixels), end - begin, cin, dst, v_stride);
    }
    bf16_t* dst = v.mutable_data_as<bf16_t>() + buffer * 16 * v_stride + begin * cin;
    if (x.dtype() == DType::bfloat16) {
      return transforms.input_bf16(reinterpret_cast<const bf16_t* const*>(pixels), end - begin, cin, dst, v_stride);
    }
    transforms.input_f32_to_bf16(reinterpret_cast<const float* const*>(pixels), end - begin, cin, dst, v_stride);
  };
  auto multiply = [&](int buffer, int e, int64_t count) {
    float* product = m.mutable_data_as<float>() + (buffer * 16 + e) * m_stride;
    if (v_bf16) {
      const bf16_t* a = v.data_as<bf16_t>() + (buffer * 16 + e) * v_stride;
      return gemm_packed(Trans::no, count, 1.0f, a, cin, weights.packed[e], 0.0f, product, cout);
    }
    const float* a = v.data_as<float>() + (buffer * 16 + e) * v_stride;
    return gemm_packed(Trans::no, count, 1.0f, a, cin, weights.packed[e], 0.0f, product, cout);
  };
  auto transform_out = [&](int buffer, int64_t begin, int64_t end) {
    const float* products = m.data_as<float>() + buffer * 16 * m_stride + begin * cout;
    void* const* pixels = out_pixels.data() + (buffer * chunk + begin) * 4;
    if (y.dtype() == DType::bfloat16) {
      return transforms.output_bf16(products, m_stride, end - begin, cout, bias, relu, accumulate,
                                    reinterpret_cast<bf16_t* const*>(pixels));
    }
    transforms.output_f32(products, m_stride, end - begin, cout, bias, relu, accumulate,
                          reinterpret_cast<float* const*>(pixels));
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
    ThreadPool::global().parallel(threads, [&](ParallelContext& pc) {
      const int buffer = pc.thread();
      for (int64_t c = next++; c < chunks && !failed; c = next++) {
        const int64_t first = c * chunk, count = std::min(chunk, tiles - first);
        addresses.fill(first, count, in_pixels.data() + buffer * chunk * 16, out_pixels.data() + buffer * chunk * 4);
        transform_in(buffer, 0, count);
        for (int e = 0; e < 16; ++e) record(multiply(buffer, e, count));
        if (failed) break;
        transform_out(buffer, 0, count);
      }
    });
  } else {
    for (int64_t first = 0; first < tiles && !failed; first += chunk) {
      const int64_t count = std::min(chunk, tiles - first);
      addresses.fill(first, count, in_pixels.data(), out_pixels.data());
      parallel_for(count, 8, [&](int64_t begin, int64_t end) { transform_in(0, begin, end); });
      // Few tiles: the 16 products go to the threads whole, each GEMM on one thread.
      std::atomic<int> next_e{0};
      ThreadPool::global().parallel(std::min(ThreadPool::global().max_threads(), 16), [&](ParallelContext&) {
        for (int e = next_e++; e < 16; e = next_e++) record(multiply(0, e, count));
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
