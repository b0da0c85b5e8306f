// Clusters three blobs with the installed library and prints what it found.
#include <centrix/centrix.hpp>
#include <cstdio>

int main() {
  centrix::datasets::BlobsOptions blobs_options;
  blobs_options.n_samples = 300;
  blobs_options.n_centers = 3;
  blobs_options.cluster_std = 0.5;
  blobs_options.seed = 7;
  const centrix::datasets::Blobs blobs = centrix::datasets::make_blobs(blobs_options);

  centrix::KMeansOptions options;
  options.n_clusters = 3;
  options.seed = 1;
  const auto result = centrix::fit(blobs.data.view(), options);
  const std::size_t ci = centrix::metrics::centroid_index(result.centers.view(), blobs.centers.view());
  std::printf("k=3 inertia=%.6g iterations=%d centroid_index=%zu\n", result.inertia, result.n_iter, ci);
  return ci == 0 ? 0 : 1;
}
