// Eight channels per ymm register.
#include "nn/ops/depthwise/lines.h"

namespace armory::nn::depthwise {

Lines lines__avx2() { return &lines<8>; }

}  // namespace armory::nn::depthwise
