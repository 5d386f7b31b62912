// One zmm register per 16 channels: the 4x4 tile in flight fills 16 of the 32.
#include "nn/ops/winograd/transforms.h"

namespace armory::nn::winograd {

Transforms transforms__avx512() { return transforms_of_width<16>(); }

}  // namespace armory::nn::winograd
