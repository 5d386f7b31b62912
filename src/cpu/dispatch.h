// The dispatch pattern every component uses: a kernel table is data, ranked best first; dispatch
// filters out what is not compiled in, not supported by the CPU, disabled by the OS or above the
// ARMORY_ISA cap, takes the first row left, and explains every decision under ARMORY_VERBOSE=dispatch.
#pragma once

#include <armory/cpu.h>
#include <armory/isa.h>

#include "common/verbose.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace armory {

// What dispatch needs to know about a table row. Rows carry it as a member named `id`.
struct KernelId {
  std::string_view name;  // "<what>__<where>", e.g. "gemm_f32_32x6__avx512"
  IsaLevel isa;
  bool compiled;          // false when this build has no code for the row (other architecture)
};

// Why the row cannot run here, or an empty string when it can.
std::string rejection_reason(const KernelId& id, const CpuInfo& cpu, const IsaPolicy& policy);

struct DispatchDecision {
  std::string_view operation;
  std::string_view chosen;                                        // empty when nothing fits
  std::vector<std::pair<std::string_view, std::string>> rejected;  // (kernel, reason)
};

void log_decision(const DispatchDecision& decision, std::string_view detail);

// The first eligible row, or nullptr. Fills `decision` when given; logs it under ARMORY_VERBOSE=dispatch.
template <class Row>
const Row* select_kernel(std::span<const Row> table, std::string_view operation, const CpuInfo& cpu,
                         const IsaPolicy& policy, DispatchDecision* decision = nullptr) {
  DispatchDecision local{operation, {}, {}};
  const Row* chosen = nullptr;
  for (const Row& row : table) {
    std::string reason = rejection_reason(row.id, cpu, policy);
    if (reason.empty()) {
      chosen = &row;
      local.chosen = row.id.name;
      break;
    }
    local.rejected.emplace_back(row.id.name, std::move(reason));
  }
  if (verbose_enabled("dispatch")) log_decision(local, {});
  if (decision) *decision = std::move(local);
  return chosen;
}

// For this process (host_cpu() and $ARMORY_ISA): the first eligible row of a table whose last row is the
// portable one, which is also the answer when the policy is unusable.
template <class Row>
const Row& select_kernel_or_portable(std::span<const Row> table, std::string_view operation) {
  const auto& policy = host_isa_policy();
  const Row* chosen = policy.ok() ? select_kernel<Row>(table, operation, host_cpu(), policy.value()) : nullptr;
  return chosen ? *chosen : table.back();
}

}  // namespace armory
