// NEON's 4 channels per vector with Arm BF16's BFCVTN for each bf16 written (Neoverse N2).
#include "nn/ops/winograd/transforms.h"

namespace armory::nn::winograd {

Transforms transforms__neonbf16() { return transforms_of_width<4>(); }

}  // namespace armory::nn::winograd
