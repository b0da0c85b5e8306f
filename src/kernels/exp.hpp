// exp(y) for y <= 0 in plain multiplies and adds, so that a loop calling it
// vectorises: std::exp is a library call the compiler vectorises only under
// -ffast-math, which would loosen every other computation of the file too.
//
// Method (Cody & Waite 1980; Muller, "Elementary Functions", ch. 11):
// y = k ln2 + r with |r| <= ln2 / 2, ln2 split in two parts so k ln2 is exact;
// exp(r) by a polynomial of degree 11: 1 + r + r^2 q(r), q the Chebyshev
// interpolant of degree 9 of (exp(r) - 1 - r) / r^2 on [-ln2/2, ln2/2]
// (mpmath.chebyfit, 50 digits; its error is 1e-16 of q, 1.5e-16 of exp(r)
// once evaluated in double);
// 2^k built in the exponent bits. Relative error below 4e-16 over [-708, 0]
// (tests/cpp/test_mean_shift.cpp checks it against std::exp); below -708
// the result is flushed to 0.
#pragma once

#include <bit>
#include <cstdint>

namespace centrix::kernels {

/// exp(y) for y in [-708, 0] (outside it, garbage).
[[gnu::always_inline]] inline double exp_in_range(double y) noexcept {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 with its low 32 bits cleared: k * kLn2Hi is exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer held in the low mantissa bits
  const double shifted = y * kLog2e + kShifter;
  const double k = shifted - kShifter;
  const double r = (y - k * kLn2Hi) - k * kLn2Lo;
  // exp(r) = 1 + r + r^2 q(r), q of degree 9: 11 multiply-adds in a row where Taylor's series needs 13.
  double q = 2.5100375832561234e-08;
  q = q * r + 2.7620075879983367e-07;
  q = q * r + 2.7557268480310024e-06;
  q = q * r + 2.4801521322368692e-05;
  q = q * r + 0.00019841269863040545;
  q = q * r + 0.0013888888917196719;
  q = q * r + 0.008333333333330065;
  q = q * r + 0.041666666666624164;
  q = q * r + 0.16666666666666669;
  q = q * r + 0.5000000000000001;
  const double p = (q * r + 1.0) * r + 1.0;
  const std::int64_t ki = std::bit_cast<std::int64_t>(shifted) - std::bit_cast<std::int64_t>(kShifter);
  const double two_to_k = std::bit_cast<double>(static_cast<std::uint64_t>(ki + 1023) << 52);
  return p * two_to_k;
}

/// exp(y) for y <= 0; 0 below -708.
[[gnu::always_inline]] inline double exp_nonpositive(double y) noexcept {
  const bool underflow = y < -708.0;
  const double value = exp_in_range(underflow ? -708.0 : y);
  return underflow ? 0.0 : value;
}

}  // namespace centrix::kernels
