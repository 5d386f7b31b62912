// Sixteen channels per zmm register.
#include "nn/ops/depthwise/lines.h"

namespace armory::nn::depthwise {

Lines lines__avx512() { return &lines<16>; }

}  // namespace armory::nn::depthwise
