#include "metrics/labels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "centrix/error.hpp"

namespace centrix::detail {

namespace {

/// Distance from `lo` to `v` (v >= lo) without signed overflow.
inline std::uint64_t offset(std::int64_t v, std::int64_t lo) noexcept {
  return static_cast<std::uint64_t>(v) - static_cast<std::uint64_t>(lo);
}

}  // namespace

template <class L>
DenseLabels dense_labels(std::span<const L> labels) {
  DenseLabels out;
  const std::size_t n = labels.size();
  out.ids.resize(n);
  if (n == 0) return out;
  const auto [lo_it, hi_it] = std::minmax_element(labels.begin(), labels.end());
  const std::int64_t lo = *lo_it;
  const std::int64_t hi = *hi_it;
  const std::uint64_t range = offset(hi, lo);
  if (range <= 2 * static_cast<std::uint64_t>(n) + 1024) {
    // A table indexed by value (at most 2n + 1025 slots): first the counts,
    // then, in increasing order of value, each used value's id.
    std::vector<std::int64_t> slot(range + 1, 0);
    for (const L v : labels) ++slot[offset(v, lo)];
    for (std::uint64_t v = 0; v <= range; ++v) {
      if (slot[v] == 0) continue;
      out.values.push_back(static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + v));
      out.counts.push_back(slot[v]);
      slot[v] = static_cast<std::int64_t>(out.values.size()) - 1;
    }
    if (out.values.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
      throw InvalidArgument("labels: more than 2^31 - 1 distinct values");
    }
    for (std::size_t i = 0; i < n; ++i) out.ids[i] = static_cast<std::int32_t>(slot[offset(labels[i], lo)]);
    return out;
  }
  std::vector<std::int64_t> sorted(labels.begin(), labels.end());
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < n;) {
    std::size_t e = i + 1;
    while (e < n && sorted[e] == sorted[i]) ++e;
    out.values.push_back(sorted[i]);
    out.counts.push_back(static_cast<std::int64_t>(e - i));
    i = e;
  }
  if (out.values.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw InvalidArgument("labels: more than 2^31 - 1 distinct values");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto it = std::lower_bound(out.values.begin(), out.values.end(), static_cast<std::int64_t>(labels[i]));
    out.ids[i] = static_cast<std::int32_t>(it - out.values.begin());
  }
  return out;
}

template <class L>
Contingency contingency(std::span<const L> a, std::span<const L> b, const char* what) {
  if (a.size() != b.size()) {
    throw InvalidArgument(std::string(what) + ": labelings of different lengths (" + std::to_string(a.size()) +
                          " and " + std::to_string(b.size()) + ")");
  }
  if (a.empty()) throw InvalidArgument(std::string(what) + ": empty labelings");
  const std::size_t n = a.size();
  DenseLabels da = dense_labels(a);
  DenseLabels db = dense_labels(b);
  const std::size_t ka = da.k();
  const std::size_t kb = db.k();

  // Rows grouped by their label in `a` (a stable counting sort), then each
  // group's labels in `b` counted in a scratch row of kb counters.
  std::vector<std::size_t> group_start(ka + 1, 0);
  for (std::size_t i = 0; i < ka; ++i) group_start[i + 1] = group_start[i] + static_cast<std::size_t>(da.counts[i]);
  std::vector<std::size_t> next(group_start.begin(), group_start.end() - 1);
  std::vector<std::int32_t> b_by_group(n);
  for (std::size_t r = 0; r < n; ++r) b_by_group[next[static_cast<std::size_t>(da.ids[r])]++] = db.ids[r];

  Contingency table;
  table.n = static_cast<std::int64_t>(n);
  std::vector<std::int64_t> scratch(kb, 0);
  std::vector<std::int32_t> touched;
  for (std::size_t i = 0; i < ka; ++i) {
    touched.clear();
    for (std::size_t s = group_start[i]; s < group_start[i + 1]; ++s) {
      const std::int32_t j = b_by_group[s];
      if (scratch[static_cast<std::size_t>(j)]++ == 0) touched.push_back(j);
    }
    std::sort(touched.begin(), touched.end());
    for (const std::int32_t j : touched) {
      table.cell_row.push_back(static_cast<std::int32_t>(i));
      table.cell_col.push_back(j);
      table.cell.push_back(scratch[static_cast<std::size_t>(j)]);
      scratch[static_cast<std::size_t>(j)] = 0;
    }
  }
  table.row_sums = std::move(da.counts);
  table.col_sums = std::move(db.counts);
  return table;
}

void check_label_count(std::size_t n_labels, std::size_t n_rows, const char* what) {
  if (n_rows == 0) throw InvalidArgument(std::string(what) + ": data has no rows");
  if (n_labels != n_rows) {
    throw InvalidArgument(std::string(what) + ": " + std::to_string(n_labels) + " labels for " +
                          std::to_string(n_rows) + " data rows");
  }
}

template DenseLabels dense_labels<std::int32_t>(std::span<const std::int32_t>);
template DenseLabels dense_labels<std::int64_t>(std::span<const std::int64_t>);
template Contingency contingency<std::int32_t>(std::span<const std::int32_t>, std::span<const std::int32_t>,
                                               const char*);
template Contingency contingency<std::int64_t>(std::span<const std::int64_t>, std::span<const std::int64_t>,
                                               const char*);

}  // namespace centrix::detail
