#include <string>

#include "centrix/error.hpp"
#include "centrix/metrics.hpp"
#include "kmeans/validate.hpp"
#include "metrics/labels.hpp"

namespace centrix::metrics {

namespace {

template <class T, class L>
LabelMeans<T> label_means(MatrixView<T> data, std::span<const L> labels) {
  detail::check_label_count(labels.size(), data.rows(), "label means");
  detail::check_finite(data, "label means: data");
  detail::DenseLabels dense = detail::dense_labels(labels);
  const std::size_t k = dense.k();
  const std::size_t d = data.cols();
  // Sums in double, row by row in order.
  std::vector<double> sums(k * d, 0.0);
  for (std::size_t i = 0; i < data.rows(); ++i) {
    const T* row = data.row(i);
    double* sum = sums.data() + static_cast<std::size_t>(dense.ids[i]) * d;
    for (std::size_t t = 0; t < d; ++t) sum[t] += static_cast<double>(row[t]);
  }
  LabelMeans<T> out;
  out.centers = Matrix<T>(k, d);
  for (std::size_t c = 0; c < k; ++c) {
    const double count = static_cast<double>(dense.counts[c]);
    for (std::size_t t = 0; t < d; ++t) out.centers(c, t) = static_cast<T>(sums[c * d + t] / count);
  }
  out.labels = std::move(dense.ids);
  out.values = std::move(dense.values);
  out.counts = std::move(dense.counts);
  return out;
}

}  // namespace

template <class T>
LabelMeans<T> centers_from_labels(MatrixView<T> data, std::span<const std::int64_t> labels) {
  return label_means(data, labels);
}
template <class T>
LabelMeans<T> centers_from_labels(MatrixView<T> data, std::span<const std::int32_t> labels) {
  return label_means(data, labels);
}

template LabelMeans<float> centers_from_labels<float>(MatrixView<float>, std::span<const std::int64_t>);
template LabelMeans<double> centers_from_labels<double>(MatrixView<double>, std::span<const std::int64_t>);
template LabelMeans<float> centers_from_labels<float>(MatrixView<float>, std::span<const std::int32_t>);
template LabelMeans<double> centers_from_labels<double>(MatrixView<double>, std::span<const std::int32_t>);

}  // namespace centrix::metrics
