// The libraries armory is measured beside, behind one small interface. Each peer is loaded at run time
// (dlopen), so a machine without it reports "missing" instead of failing to build or start.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace armory::bench {

// f32, f64: plain products. bf16: bf16 inputs, fp32 output. f32_bf16: fp32 inputs, BF16 fast math.
enum class Precision { f32, f64, bf16, f32_bf16 };

const char* precision_name(Precision p);

// Row-major C (m x n) = A (m x k) * B (k x n), beta = 0. The buffers hold the precision's input type
// (float, double, or uint16_t bf16) and the output type (float or double).
struct GemmBuffers {
  int64_t m, n, k;
  const void* a;
  const void* b;
  void* c;
};

class GemmPeer {
 public:
  virtual ~GemmPeer() = default;
  virtual std::string name() const = 0;
  virtual std::string version() const { return {}; }
  virtual bool set_threads(int threads) = 0;
  virtual bool supports(Precision p) const = 0;
  // Everything that need not be timed (oneDNN builds its primitive here); returns the timed call, or an
  // empty function when the peer cannot do this case.
  virtual std::function<bool()> prepare(Precision p, const GemmBuffers& buffers) = 0;
  // The precision whose FMA peak this peer's efficiency is a share of: the case's, unless the peer computes
  // in another (armory's strict fp32 beside a BF16 fast-math case).
  virtual std::string peak_precision(const std::string& case_precision) const { return case_precision; }
};

// nullptr and a reason when the library is not on the machine.
std::unique_ptr<GemmPeer> load_openblas(std::string* why_not);
std::unique_ptr<GemmPeer> load_blis(std::string* why_not);
std::unique_ptr<GemmPeer> load_onednn(std::string* why_not);

}  // namespace armory::bench
