#include "xerbla.h"

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace {

// Which call is being reported on this thread is row-major: cblas_xerbla maps the column-major argument
// numbers back for its message, as reference CBLAS does with its RowMajorStrg.
thread_local bool tl_row_major = false;

struct RowMajorScope {
  explicit RowMajorScope(bool row_major) : previous(tl_row_major) { tl_row_major = row_major; }
  ~RowMajorScope() { tl_row_major = previous; }
  bool previous;
};

// Row-major CBLAS calls swap operands before the column-major call; these are the positions that moved.
int unswap_row_major_position(const char* routine, int p) {
  auto is = [&](const char* part) { return std::strstr(routine, part) != nullptr; };
  auto swap = [&](int a, int b) { p = p == a ? b : p == b ? a : p; };
  if (is("gemm")) {
    swap(4, 5);
    swap(9, 11);
  } else if (is("symm") || is("hemm")) {
    swap(4, 5);
  } else if (is("trmm") || is("trsm")) {
    swap(6, 7);
  } else if (is("gemv")) {
    swap(3, 4);
  } else if (is("gbmv")) {
    swap(3, 4);
    swap(5, 6);
  } else if (is("ger")) {
    swap(2, 3);
    swap(6, 8);
  } else if ((is("her2") || is("hpr2")) && !is("her2k")) {
    swap(6, 8);
  }
  return p;
}

// Failures other than bad arguments are reported once per process, not on every call.
bool first_failure() {
  static std::atomic<bool> reported{false};
  return !reported.exchange(true);
}

}  // namespace

extern "C" {

// Reference CBLAS's globals: programs written against it (the netlib CBLAS testers among them) read and set
// RowMajorStrg around calls to learn whether a reported error came from a row-major call.
__attribute__((visibility("default"))) int RowMajorStrg = 0;
__attribute__((visibility("default"))) int CBLAS_CallFromC = 0;

__attribute__((visibility("default"))) void xerbla_(const char* routine, const int* info, size_t routine_length) {
  size_t length = routine_length;
  while (length > 0 && routine[length - 1] == ' ') --length;
  std::fprintf(stderr, " ** On entry to %.*s parameter number %d had an illegal value (armory BLAS; the call did nothing)\n",
               static_cast<int>(length), routine, *info);
}

__attribute__((visibility("default"))) void xerbla_array_(const char* name, const int* name_length, const int* info,
                                                         size_t) {
  char routine[33] = {};
  const int length = *name_length < 0 ? 0 : (*name_length > 32 ? 32 : *name_length);
  std::memcpy(routine, name, static_cast<size_t>(length));
  xerbla_(routine, info, static_cast<size_t>(length));
}

__attribute__((visibility("default"))) void cblas_xerbla(int position, const char* routine, const char* format, ...) {
  if (tl_row_major) position = unswap_row_major_position(routine, position);
  std::fprintf(stderr, "Parameter %d to routine %s was incorrect (armory BLAS; the call did nothing)\n", position,
               routine);
  if (format != nullptr && *format != '\0') {
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
  }
}

// LSAME: case-insensitive comparison of two characters (LAPACK calls it from the BLAS library), ASCII letters
// folded by hand: through libc's toupper, locale-aware and a call each, it was a tenth of numpy.linalg.eigvals
// (LAPACK's dlamch and dlaqr* ask it for every scalar they look up), where Python's locale could also fold
// a letter other than ASCII's way.
__attribute__((visibility("default"))) int lsame_(const char* a, const char* b, size_t, size_t) {
  auto upper = [](unsigned char c) { return c >= 'a' && c <= 'z' ? static_cast<unsigned char>(c - 'a' + 'A') : c; };
  return upper(static_cast<unsigned char>(*a)) == upper(static_cast<unsigned char>(*b));
}

}  // extern "C"

namespace armory::blas {

void FortranArgumentError::operator()(int position) const {
  // Reference BLAS passes a blank-padded CHARACTER*6 name, and XERBLAs that declare SRNAME as CHARACTER*6
  // (the netlib testers do) read six characters whatever the length says.
  char padded[16];
  const size_t length = std::max<size_t>(6, std::min(std::strlen(routine), sizeof padded));
  std::memset(padded, ' ', sizeof padded);
  std::memcpy(padded, routine, std::min(std::strlen(routine), sizeof padded));
  xerbla_(padded, &position, length);
}

void CblasArgumentError::operator()(int position) const {
  RowMajorScope scope(row_major);
  const int saved = RowMajorStrg;
  RowMajorStrg = row_major;
  cblas_xerbla(position + 1, routine, "");
  RowMajorStrg = saved;
}

void cblas_bad_option(int position, const char* routine, const char* what, int value) {
  // Reported at its own CBLAS position, which no row-major swap moves.
  RowMajorScope scope(false);
  char message[96];
  std::snprintf(message, sizeof message, "Illegal %s setting, %d\n", what, value);
  cblas_xerbla(position, routine, "%s", message);
}

void report_failure(const std::string& what) {
  if (first_failure()) std::fprintf(stderr, "armory BLAS: %s; results are not computed\n", what.c_str());
}

void report_exception(const char* routine, const std::exception& e) {
  // Formatted without allocating: memory has just run out.
  if (first_failure()) {
    std::fprintf(stderr, "armory BLAS: %s ran out of memory for its copies (%s); results are not computed\n", routine,
                 e.what());
  }
}

}  // namespace armory::blas
