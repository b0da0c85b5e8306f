// exp(y) for y <= 0 in plain multiplies and adds, so that a loop calling it
// vectorises: std::exp is a library call the compiler vectorises only under
// -ffast-math, which would loosen every other computation of the file too.
//
// Method (Cody & Waite 1980; Muller, "Elementary Functions", ch. 11):
// y = k ln2 + r with |r| <= ln2 / 2, ln2 split in two parts so k ln2 is exact;
// exp(r) by its Taylor series to degree 13 (truncation < 1e-17 relatively);
// 2^k built in the exponent bits. Relative error below 4e-16 over [-708, 0]
// (tests/cpp/test_mean_shift.cpp checks it against std::exp); below -708
// the result is flushed to 0.
#pragma once

#include <bit>
#include <cstdint>

namespace centrix::kernels {

[[gnu::always_inline]] inline double exp_nonpositive(double y) noexcept {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 with its low 32 bits cleared: k * kLn2Hi is exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer held in the low mantissa bits
  const bool underflow = y < -708.0;
  const double clamped = underflow ? -708.0 : y;
  const double shifted = clamped * kLog2e + kShifter;
  const double k = shifted - kShifter;
  const double r = (clamped - k * kLn2Hi) - k * kLn2Lo;
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const std::int64_t ki = std::bit_cast<std::int64_t>(shifted) - std::bit_cast<std::int64_t>(kShifter);
  const double two_to_k = std::bit_cast<double>(static_cast<std::uint64_t>(ki + 1023) << 52);
  return underflow ? 0.0 : p * two_to_k;
}

}  // namespace centrix::kernels
