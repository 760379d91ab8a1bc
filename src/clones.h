/* LI2_CLONES: compile a loop kernel for several instruction sets, chosen at
 * load time (GCC function multiversioning), since the library is built
 * without -march.  Element-wise kernels only: each ISA gives the same
 * results up to FMA contraction, fixed on a given machine.  Off under
 * sanitizers and where multiversioning is unavailable.  Internal header. */
#ifndef LI2_CLONES_H
#define LI2_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__clang__)
#define LI2_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define LI2_CLONES
#endif

#endif
