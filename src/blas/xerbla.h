// Error reporting for the BLAS ABIs. Reference BLAS's xerbla prints and then STOPs the program; armory's
// prints and returns, so a bad argument never ends the host process. Both symbols are exported with
// default visibility so a program (the netlib testers, numpy) can interpose its own.
#pragma once

#include <cstddef>
#include <exception>
#include <string>

extern "C" {
void xerbla_(const char* routine, const int* info, size_t routine_length);
void cblas_xerbla(int position, const char* routine, const char* format, ...);
}

namespace armory::blas {

// Reports a bad argument of a Fortran-ABI routine ("DGEMM") at reference BLAS's argument position.
struct FortranArgumentError {
  const char* routine;
  void operator()(int position) const;
};

// Reports a bad argument of a CBLAS routine ("cblas_dgemm"). `position` is a Fortran position of the
// column-major call the routine made; CBLAS adds one for the layout argument. row_major tells the message
// which arguments were swapped.
struct CblasArgumentError {
  const char* routine;
  bool row_major;
  void operator()(int position) const;
};

// Reports a bad layout / transpose / uplo / diag / side value at its own CBLAS position.
void cblas_bad_option(int position, const char* routine, const char* what, int value);

// A call with valid arguments that cannot run at all (an ARMORY_ISA level this CPU lacks, memory for a copy
// the routine makes) or hits a bug. BLAS has no way to return an error: say why on stderr, once per process
// rather than on every call, and return with the output untouched; never abort the host.
void report_failure(const std::string& what);

// What a routine's own copies throw when memory runs out, reported as above: an exception must not cross
// the C ABI into the host, where it would abort it.
void report_exception(const char* routine, const std::exception& e);

}  // namespace armory::blas
