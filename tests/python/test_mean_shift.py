"""centrix.MeanShift against scikit-learn's MeanShift: conformance and the same clusterings."""

import pickle

import numpy as np
import pytest
import sklearn.cluster
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import check_estimator

import centrix


def test_check_estimator_passes_every_check():
    results = check_estimator(centrix.MeanShift(), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:300]) for r in results if r["status"] == "failed"]
    assert failed == []


def notebook_2d():
    rng = np.random.default_rng(2026)
    centers = rng.uniform(-35, 35, size=(6, 2))
    return np.vstack([rng.normal(c, np.sqrt(5.0), size=(250, 2)) for c in centers])


def blobs(n, d):
    return make_blobs(n_samples=n, n_features=d, centers=5, random_state=0)[0]


def uef(franti, name):
    return np.loadtxt(franti / f"{name}.txt")


CASES = [
    ("notebook-2d", notebook_2d, 2.5, False),
    ("notebook-2d binned", notebook_2d, 2.5, True),
    ("blobs 10000x2", lambda: blobs(10_000, 2), 0.1, True),
    ("blobs 10000x5", lambda: blobs(10_000, 5), 0.1, True),
]


def assert_same_clustering(X, bandwidth, bin_seeding):
    theirs = sklearn.cluster.MeanShift(bandwidth=bandwidth, bin_seeding=bin_seeding).fit(X)
    ours = centrix.MeanShift(bandwidth=bandwidth, bin_seeding=bin_seeding).fit(X)
    assert len(ours.cluster_centers_) == len(theirs.cluster_centers_)
    assert adjusted_rand_score(theirs.labels_, ours.labels_) >= 0.99
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-6, atol=1e-6 * bandwidth)


@pytest.mark.parametrize("name,make,bandwidth,bin_seeding", CASES, ids=[c[0] for c in CASES])
def test_same_clustering_as_sklearn(name, make, bandwidth, bin_seeding):
    X = make()
    if bandwidth < 1:  # a quantile: estimate the bandwidth as scikit-learn would
        bandwidth = sklearn.cluster.estimate_bandwidth(X, quantile=bandwidth, n_samples=2000, random_state=0)
    assert_same_clustering(X, bandwidth, bin_seeding)


@pytest.mark.parametrize("name,quantile", [("s1", 0.03), ("a1", 0.02)])
def test_same_clustering_as_sklearn_on_uef(franti, name, quantile):
    X = uef(franti, name)
    bandwidth = centrix.estimate_bandwidth(X, quantile=quantile)
    assert_same_clustering(X, bandwidth, True)


def test_estimate_bandwidth_equals_sklearn():
    X = blobs(1500, 3)
    for quantile in (0.05, 0.3, 0.9):
        assert centrix.estimate_bandwidth(X, quantile=quantile) == pytest.approx(
            sklearn.cluster.estimate_bandwidth(X, quantile=quantile), rel=1e-12)


def test_bad_inputs():
    with pytest.raises(ValueError, match="bandwidth estimation needs at least 2 rows, got 1 sample"):
        centrix.MeanShift().fit([[1.0, 2.0]])
    with pytest.raises(ValueError, match="estimated bandwidth is 0"):
        centrix.MeanShift().fit(np.ones((5, 2)))
    with pytest.raises(ValueError, match="The 'bandwidth' parameter"):
        centrix.MeanShift(bandwidth=0.0).fit(np.eye(3))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        centrix.MeanShift(bandwidth=1.0).fit([[1.0, np.nan], [0.0, 0.0]])
    for cutoff in (0.5, 38.0):
        with pytest.raises(ValueError, match="The 'gaussian_cutoff' parameter"):
            centrix.MeanShift(bandwidth=1.0, kernel="gaussian", gaussian_cutoff=cutoff).fit(np.eye(3))


def test_options_and_pickle():
    X = blobs(2000, 2)
    model = centrix.MeanShift(bandwidth=1.5, kernel="gaussian", label_mode="attractor", n_jobs=1).fit(X)
    assert model.labels_.shape == (2000,)
    assert model.bandwidth_ == 1.5
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    orphans = centrix.MeanShift(bandwidth=0.8, bin_seeding=True, min_bin_freq=10, cluster_all=False).fit(X)
    assert (orphans.labels_ == -1).any()
    both = [centrix.MeanShift(bandwidth=1.5, n_jobs=j).fit(X) for j in (1, 2)]
    assert both[0].cluster_centers_.tobytes() == both[1].cluster_centers_.tobytes()


def test_ctrl_c_stops_a_long_mean_shift(interrupt_after):
    code, out, elapsed = interrupt_after(
        """
        import sys, numpy as np, centrix
        X = np.random.default_rng(0).standard_normal((60000, 12))
        """,
        "centrix.MeanShift(bandwidth=3.0).fit(X)",
    )
    assert code == 3, out
    assert elapsed < 10, f"took {elapsed:.1f} s to stop"
