// One function per category of the doctor's checks. Each reads the facts and appends its findings.
#pragma once

#include <armory/doctor.h>

#include "doctor/facts.h"

namespace armory::doctor {

void check_cpu(const Facts& facts, std::vector<Finding>& out);
void check_threads(const Facts& facts, std::vector<Finding>& out);
void check_python(const Facts& facts, std::vector<Finding>& out);
void check_libc(const Facts& facts, std::vector<Finding>& out);
void check_numpy(const Facts& facts, std::vector<Finding>& out);
void check_frameworks(const Facts& facts, std::vector<Finding>& out);
void check_allocator(const Facts& facts, std::vector<Finding>& out);
void check_armory(const Facts& facts, std::vector<Finding>& out);

// End of life of a CPython minor version ("YYYY-MM-DD"), or "" when unknown (newer than the table).
std::string python_end_of_life(int major, int minor);

}  // namespace armory::doctor
