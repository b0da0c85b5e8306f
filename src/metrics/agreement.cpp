// Agreement between two labelings: adjusted Rand index and normalized mutual
// information, both from the sparse contingency table, following
// scikit-learn's adjusted_rand_score and normalized_mutual_info_score.
#include <cmath>
#include <limits>

#include "centrix/metrics.hpp"
#include "metrics/labels.hpp"

namespace centrix::metrics {

namespace {

// Pair counts reach n^4: exact in 128-bit integers for n < 2^31 (beyond, long double).
__extension__ using Int128 = __int128;

/// ARI from the pair confusion matrix (ordered pairs of distinct rows), as
/// scikit-learn's pair_confusion_matrix and adjusted_rand_score, in arithmetic type I.
template <class I>
double ari_from(const detail::Contingency& table) {
  const auto sum_of_squares = [](const std::vector<std::int64_t>& counts) {
    I s = 0;
    for (const std::int64_t c : counts) s += static_cast<I>(c) * static_cast<I>(c);
    return s;
  };
  const I n = static_cast<I>(table.n);
  const I cells = sum_of_squares(table.cell);
  const I both = cells - n;                                 // same cluster in both
  const I only_b = sum_of_squares(table.col_sums) - cells;  // same in b, different in a
  const I only_a = sum_of_squares(table.row_sums) - cells;  // same in a, different in b
  const I neither = n * n - only_b - only_a - cells;        // different in both
  // Identical partitions, including both a single cluster and both all singletons.
  if (only_a == 0 && only_b == 0) return 1.0;
  const I numerator = both * neither - only_a * only_b;
  const I denominator = (both + only_a) * (only_a + neither) + (both + only_b) * (only_b + neither);
  // Each integer rounded to double once, as Python's int -> float conversion.
  return 2.0 * static_cast<double>(numerator) / static_cast<double>(denominator);
}

template <class L>
double ari(std::span<const L> a, std::span<const L> b) {
  const detail::Contingency table = detail::contingency(a, b, "adjusted Rand index");
  if (table.n < (std::int64_t{1} << 31)) return ari_from<Int128>(table);
  return ari_from<long double>(table);
}

/// -sum_i (c_i / n) (log c_i - log n), scikit-learn's _entropy.
double entropy(const std::vector<std::int64_t>& counts, double n) {
  if (counts.size() == 1) return 0.0;
  const double log_n = std::log(n);
  double h = 0;
  for (const std::int64_t c : counts) {
    const double ci = static_cast<double>(c);
    h += (ci / n) * (std::log(ci) - log_n);
  }
  return -h;
}

template <class L>
double nmi(std::span<const L> a, std::span<const L> b) {
  const detail::Contingency table = detail::contingency(a, b, "normalized mutual information");
  const std::size_t ka = table.row_sums.size();
  const std::size_t kb = table.col_sums.size();
  // Neither labeling splits the data: a perfect match.
  if (ka == 1 && kb == 1) return 1.0;
  // One of them does not: zero entropy, so zero mutual information.
  if (ka == 1 || kb == 1) return 0.0;
  // Mutual information term by term as scikit-learn's mutual_info_score.
  const double n = static_cast<double>(table.n);
  const double log_n = std::log(n);
  double mi = 0;
  for (std::size_t c = 0; c < table.cell.size(); ++c) {
    const double nij = static_cast<double>(table.cell[c]);
    const std::int64_t outer = table.row_sums[static_cast<std::size_t>(table.cell_row[c])] *
                               table.col_sums[static_cast<std::size_t>(table.cell_col[c])];
    const double p = nij / n;
    const double log_outer = -std::log(static_cast<double>(outer)) + log_n + log_n;
    double term = p * (std::log(nij) - log_n) + p * log_outer;
    if (std::abs(term) < std::numeric_limits<double>::epsilon()) term = 0.0;
    mi += term;
  }
  if (!(mi > 0.0)) return 0.0;
  const double h_a = entropy(table.row_sums, n);
  const double h_b = entropy(table.col_sums, n);
  return mi / ((h_a + h_b) / 2.0);
}

}  // namespace

double adjusted_rand_index(std::span<const std::int64_t> a, std::span<const std::int64_t> b) {
  return ari(a, b);
}
double adjusted_rand_index(std::span<const std::int32_t> a, std::span<const std::int32_t> b) {
  return ari(a, b);
}
double normalized_mutual_info(std::span<const std::int64_t> a, std::span<const std::int64_t> b) {
  return nmi(a, b);
}
double normalized_mutual_info(std::span<const std::int32_t> a, std::span<const std::int32_t> b) {
  return nmi(a, b);
}

}  // namespace centrix::metrics
