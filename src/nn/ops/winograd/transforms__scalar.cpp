// No ISA flags: 4 channels per vector, which the baseline of either architecture (SSE2, NEON) holds in one
// register, or the compiler splits.
#include "nn/ops/winograd/transforms.h"

namespace armory::nn::winograd {

Transforms transforms__scalar() { return transforms_of_width<4>(); }

}  // namespace armory::nn::winograd
