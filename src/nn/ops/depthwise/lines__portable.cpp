// Four channels per vector: SSE2 on x86-64's baseline, NEON on aarch64.
#include "nn/ops/depthwise/lines.h"

namespace armory::nn::depthwise {

Lines lines__portable() { return &lines<4>; }

}  // namespace armory::nn::depthwise
