// Identifies this liblapack.so.3 as armory's, for `armory blas status` and the doctor: which LAPACK a
// process really loaded is read from its maps, and this symbol tells armory's apart from the others.
#define ARMORY_EXPORT extern "C" __attribute__((visibility("default")))

ARMORY_EXPORT const char* armory_lapack_provider(void) {
  return "armory liblapack.so.3: armory ?gesdd/?gesvd (s, d), reference LAPACK 3.11 (Debian liblapack_pic.a) for the "
         "rest, over armory BLAS";
}
