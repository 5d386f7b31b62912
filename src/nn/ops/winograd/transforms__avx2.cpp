// One ymm register per 8 channels: the 4x4 tile in flight fills all 16.
#include "nn/ops/winograd/transforms.h"

namespace armory::nn::winograd {

Transforms transforms__avx2() { return transforms_of_width<8>(); }

}  // namespace armory::nn::winograd
