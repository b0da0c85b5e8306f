// Runtime CPU dispatch: a function marked CENTRIX_DISPATCH is compiled for a
// baseline x86-64, AVX2 and AVX-512, and the loader picks the best one the
// CPU runs. The kernels it calls must be inlined into it ([[gnu::always_inline]])
// to be compiled for each target. Floating-point contraction is off
// (-std=c++20 implies -ffp-contract=off), so every variant computes bitwise
// the same results.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(CENTRIX_NO_MULTIVERSIONING)
#define CENTRIX_DISPATCH __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define CENTRIX_DISPATCH
#endif
