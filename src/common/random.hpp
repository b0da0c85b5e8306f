// Deterministic random numbers: the same seed gives the same stream on every
// platform and standard library (std::*_distribution does not promise that).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <unordered_set>
#include <vector>

namespace centrix::detail {

/// SplitMix64 (Steele, Lea & Flood 2014): turns one seed into well-mixed independent seeds.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(splitmix64(seed)) {}

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n), without modulo bias (rejection of the top partial range).
  std::uint64_t below(std::uint64_t n) noexcept {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
      const std::uint64_t r = engine_();
      if (r < limit) return r % n;
    }
  }
  /// Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

/// `m` distinct indices drawn uniformly from [0, n), in increasing order; all
/// of them when m >= n. Floyd's algorithm: m draws and O(m) memory whatever n.
inline std::vector<std::size_t> uniform_sample(std::size_t n, std::size_t m, std::uint64_t seed) {
  std::vector<std::size_t> rows;
  if (m >= n) {
    rows.resize(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = i;
    return rows;
  }
  Rng rng(seed);
  std::unordered_set<std::size_t> chosen;
  chosen.reserve(2 * m);
  for (std::size_t j = n - m; j < n; ++j) {
    const auto t = static_cast<std::size_t>(rng.below(j + 1));
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  rows.assign(chosen.begin(), chosen.end());
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace centrix::detail
