// Memory for large arrays from the allocator armory's own weights, activations and workspaces use, for
// callers that hand arrays to armory over and over (the Python package's SVD results, for one).
#pragma once

#include <cstddef>
#include <memory>

namespace armory {

// `bytes` of uninitialised memory, 64-byte aligned; from 1 MiB up, 2 MiB aligned, backed by transparent
// huge pages where the system allows them, and kept for the next allocation of about its size once the last
// owner lets go: a page fresh from the kernel costs a fault and a clear, which on a virtualised host can
// cost more than the work done in it. nullptr when out of memory.
std::shared_ptr<void> allocate_array(size_t bytes) noexcept;

}  // namespace armory
