"""The exact algorithms from Python: identical results, counted distances."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

import centrix


@pytest.mark.parametrize("algorithm", ["hamerly", "yinyang", "elkan"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_accelerated_equals_lloyd(algorithm, dtype, metric):
    X, _ = make_blobs(4000, n_features=12, centers=70, cluster_std=1.5, random_state=3)
    X = X.astype(dtype)
    lloyd = centrix.KMeans(70, algorithm="lloyd", metric=metric, random_state=4).fit(X)
    fast = centrix.KMeans(70, algorithm=algorithm, metric=metric, random_state=4).fit(X)
    np.testing.assert_array_equal(fast.labels_, lloyd.labels_)
    np.testing.assert_array_equal(fast.cluster_centers_, lloyd.cluster_centers_)
    assert fast.n_iter_ == lloyd.n_iter_
    assert fast.inertia_ == lloyd.inertia_


def test_distance_counts_show_what_the_bounds_skip():
    X, _ = make_blobs(5000, n_features=8, centers=40, cluster_std=0.5, random_state=1)
    init = X[:40].copy()
    common = dict(init=init, n_init=1, max_iter=30, refine="none")
    lloyd = centrix.kmeans(X, 40, algorithm="lloyd", **common)
    hamerly = centrix.kmeans(X, 40, algorithm="hamerly", **common)
    np.testing.assert_array_equal(hamerly.labels, lloyd.labels)
    assert np.all(lloyd.history["distance_evals"] == 5000 * 40)
    # The first iteration has no bounds; later ones skip most rows on separated blobs.
    assert hamerly.history["distance_evals"][0] == 5000 * 40
    assert hamerly.history["distance_evals"][1:].sum() < 0.3 * lloyd.history["distance_evals"][1:].sum()


def test_unknown_algorithm_is_refused():
    with pytest.raises(ValueError, match="algorithm"):
        centrix.KMeans(3, algorithm="elkan2").fit(np.random.default_rng(0).random((50, 2)))
