// Lloyd's assignment (Lloyd 1982): every row against every center, in cache-
// sized row blocks, fused distance + arg-min (the n x k distances are never
// stored), all cores.
#pragma once

#include <vector>

#include "kmeans/frame.hpp"
#include "kmeans/step.hpp"

namespace centrix::detail {

template <class T>
class LloydStep {
 public:
  LloydStep(const DataFrame<T>& frame, const double* weights, int n_threads)
      : frame_(frame), weights_(weights), n_threads_(n_threads) {}

  AssignStats assign(const double* centers, std::size_t k, std::span<std::int32_t> labels);

 private:
  const DataFrame<T>& frame_;
  const double* weights_;
  int n_threads_;
  kernels::ColumnPanel<T> panel_;
};

static_assert(AssignmentStep<LloydStep<float>, float>);
static_assert(AssignmentStep<LloydStep<double>, double>);

}  // namespace centrix::detail
