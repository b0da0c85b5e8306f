// Runtime CPU dispatch: a function marked CENTRIX_DISPATCH is compiled for a
// baseline x86-64, AVX2 and AVX-512, and the loader picks the best one the
// CPU runs. The kernels it calls must be inlined into it ([[gnu::always_inline]])
// to be compiled for each target. The AVX2 and AVX-512 variants contract
// multiply-adds into fused instructions, so two CPUs that run different
// variants may differ in the last bits; on one machine the variant is fixed,
// and results do not depend on the thread count.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(CENTRIX_NO_MULTIVERSIONING)
#define CENTRIX_DISPATCH __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define CENTRIX_DISPATCH
#endif
