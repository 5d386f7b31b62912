// The AVX-512 row with AVX512_BF16's conversion for every bf16 it writes.
#include "nn/ops/winograd/transforms.h"

namespace armory::nn::winograd {

Transforms transforms__avx512bf16() { return transforms_of_width<16>(); }

}  // namespace armory::nn::winograd
