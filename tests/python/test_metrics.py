"""centrix.metrics against scikit-learn's metrics, on random labelings and data."""

import numpy as np
import pytest
from sklearn import metrics as skm

import centrix
from centrix import metrics

# (n samples, clusters of labels_true, clusters of labels_pred)
LABELINGS = [(10, 2, 3), (200, 5, 5), (1000, 10, 50), (5000, 2, 300), (20000, 500, 1000), (3000, 2900, 2950)]


def _random_labels(rng, n, k):
    return rng.integers(0, k, size=n)


@pytest.mark.parametrize("n,ka,kb", LABELINGS)
def test_ari_and_nmi_match_sklearn(n, ka, kb):
    rng = np.random.default_rng(n + ka + kb)
    a = _random_labels(rng, n, ka)
    b = _random_labels(rng, n, kb)
    # A second pair that agrees a lot: b2 copies a except for a tenth of the samples.
    b2 = a.copy()
    moved = rng.random(n) < 0.1
    b2[moved] = rng.integers(0, ka, size=moved.sum())
    for x, y in [(a, b), (a, b2), (b2, a)]:
        assert metrics.adjusted_rand_score(x, y) == pytest.approx(skm.adjusted_rand_score(x, y), rel=1e-10, abs=1e-15)
        assert metrics.normalized_mutual_info_score(x, y) == pytest.approx(
            skm.normalized_mutual_info_score(x, y), rel=1e-10, abs=1e-15
        )


def test_ari_is_exact():
    # The pair counts are exact integers, rounded to double once, as scikit-learn's Python integers.
    rng = np.random.default_rng(5)
    for n, k in [(100, 3), (10000, 40), (200000, 1000)]:
        a, b = _random_labels(rng, n, k), _random_labels(rng, n, k)
        assert metrics.adjusted_rand_score(a, b) == skm.adjusted_rand_score(a, b)


@pytest.mark.parametrize(
    "convert",
    [
        lambda y: y.astype(np.int32),
        lambda y: y.astype(np.uint8),
        lambda y: y + 1,  # 1-based
        lambda y: -7 - 3 * y,  # negative, reversed order
        lambda y: y * 10**15,  # far apart
        lambda y: y.astype(np.float64),
        lambda y: np.array([f"c{v}" for v in y]),  # strings
        lambda y: list(y),  # a plain list
    ],
    ids=["int32", "uint8", "one-based", "negative", "sparse", "float", "str", "list"],
)
def test_label_values_and_types_do_not_matter(convert):
    rng = np.random.default_rng(3)
    a, b = _random_labels(rng, 500, 6), _random_labels(rng, 500, 9)
    assert metrics.adjusted_rand_score(convert(a), b) == pytest.approx(skm.adjusted_rand_score(a, b), rel=1e-12)
    assert metrics.normalized_mutual_info_score(a, convert(b)) == pytest.approx(
        skm.normalized_mutual_info_score(a, b), rel=1e-12
    )


@pytest.mark.parametrize(
    "a,b",
    [
        ([0, 0, 0, 0], [1, 1, 1, 1]),  # both a single cluster
        ([0, 1, 2, 3], [3, 2, 1, 0]),  # both all singletons
        ([0, 0, 0, 0], [0, 1, 2, 3]),  # one cluster against singletons
        ([0, 1, 2, 3], [5, 5, 5, 5]),
        ([0, 0, 1, 1], [0, 1, 0, 1]),  # independent
        ([0, 0, 1, 1], [0, 0, 0, 1]),
        ([7], [7]),  # one sample
        ([1, 2], [1, 1]),
    ],
)
def test_degenerate_cases_match_sklearn(a, b):
    assert metrics.adjusted_rand_score(a, b) == skm.adjusted_rand_score(a, b)
    assert metrics.normalized_mutual_info_score(a, b) == pytest.approx(
        skm.normalized_mutual_info_score(a, b), rel=1e-12, abs=1e-15
    )


def _blobs(n, d, k, seed, std=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, size=(k, d))
    labels = rng.integers(0, k, size=n)
    return centers[labels] + std * rng.standard_normal((n, d)), labels


# (n, d, clusters): small, several dimensions, many small clusters (with singletons), two clusters
SILHOUETTE_CASES = [(20, 1, 3), (300, 2, 4), (1000, 5, 12), (600, 40, 6), (400, 3, 150), (2500, 2, 2)]


@pytest.mark.parametrize("n,d,k", SILHOUETTE_CASES)
def test_silhouette_matches_sklearn(n, d, k):
    X, labels = _blobs(n, d, k, seed=n + d)
    assert metrics.silhouette_score(X, labels) == pytest.approx(skm.silhouette_score(X, labels), rel=1e-10)
    np.testing.assert_allclose(metrics.silhouette_samples(X, labels), skm.silhouette_samples(X, labels),
                               rtol=1e-9, atol=1e-12)
    # Random labels: silhouettes near 0 and negative.
    noise = np.random.default_rng(n).integers(0, k, size=n)
    assert metrics.silhouette_score(X, noise) == pytest.approx(skm.silhouette_score(X, noise), rel=1e-10)


@pytest.mark.parametrize("n,d,k", SILHOUETTE_CASES)
def test_silhouette_float32(n, d, k):
    X, labels = _blobs(n, d, k, seed=2 * n + d)
    X32 = X.astype(np.float32)
    ours = metrics.silhouette_score(X32, labels)
    # Distances are computed in float64 from the float32 values ...
    assert ours == pytest.approx(skm.silhouette_score(X32.astype(np.float64), labels), rel=1e-10)
    # ... scikit-learn rounds its float32 distances to float32.
    assert ours == pytest.approx(skm.silhouette_score(X32, labels), rel=1e-7, abs=1e-7)


def test_silhouette_singletons_and_label_types():
    X, labels = _blobs(50, 2, 4, seed=1)
    labels = labels.copy()
    labels[:3] = [10, 11, 12]  # three singletons, s = 0
    expected = skm.silhouette_score(X, labels)
    for converted in [labels, labels.astype(np.int32), labels + 100, [f"x{v}" for v in labels]]:
        assert metrics.silhouette_score(X, converted) == pytest.approx(expected, rel=1e-10)
    assert np.all(metrics.silhouette_samples(X, labels)[:3] == 0)


def test_silhouette_uef_s1(franti):
    X = np.loadtxt(franti / "s1.txt")
    labels = np.loadtxt(franti / "s1-label.pa", dtype=np.int64)
    assert metrics.silhouette_score(X, labels) == pytest.approx(skm.silhouette_score(X, labels), rel=1e-10)
    assert metrics.adjusted_rand_score(labels, labels) == 1.0
    assert metrics.normalized_mutual_info_score(labels, labels) == 1.0


def test_sampled_silhouette_is_seeded_and_close_to_exact():
    X, labels = _blobs(12000, 2, 8, seed=4, std=0.6)
    exact = metrics.silhouette_score(X, labels)
    first = metrics.silhouette_score(X, labels, sample_size=2000, random_state=3)
    assert metrics.silhouette_score(X, labels, sample_size=2000, random_state=3) == first
    second = metrics.silhouette_score(X, labels, sample_size=2000, random_state=4)
    assert second != first
    assert first == pytest.approx(exact, abs=0.02)
    assert second == pytest.approx(exact, abs=0.02)
    # As scikit-learn with a sample of the same size (another sample, a close value).
    assert first == pytest.approx(skm.silhouette_score(X, labels, sample_size=2000, random_state=3), abs=0.03)
    # A RandomState or None works; a sample as large as the data is the exact value.
    metrics.silhouette_score(X, labels, sample_size=500, random_state=np.random.RandomState(0))
    metrics.silhouette_score(X, labels, sample_size=500)
    assert metrics.silhouette_score(X, labels, sample_size=12000, random_state=1) == exact


def test_sampled_silhouette_seed_is_the_cli_seed(centrix, tmp_path, franti):
    X = np.loadtxt(franti / "s1.txt")
    labels = np.loadtxt(franti / "s1-label.pa", dtype=np.int64)
    out = centrix("score", franti / "s1.txt", "--labels", franti / "s1-label.pa", "--silhouette-sample", 1000,
                  "--seed", 9).stdout
    values = dict(line.split() for line in out.splitlines())
    assert values["silhouette_sample"] == "1000"
    assert float(values["silhouette"]) == metrics.silhouette_score(X, labels, sample_size=1000, random_state=9)
    assert float(values["inertia"]) == pytest.approx(metrics.inertia(X, labels), rel=1e-12)


def test_inertia():
    X, labels = _blobs(1000, 3, 5, seed=8)
    labels = labels + 1  # any label values
    means = np.array([X[labels == v].mean(axis=0) for v in np.unique(labels)])
    index = np.searchsorted(np.unique(labels), labels)
    expected = ((X - means[index]) ** 2).sum()
    assert metrics.inertia(X, labels) == pytest.approx(expected, rel=1e-10)
    assert metrics.inertia(X, index, centers=means) == pytest.approx(expected, rel=1e-10)
    assert metrics.inertia(X.astype(np.float32), labels) == pytest.approx(expected, rel=1e-5)
    km = centrix.KMeans(n_clusters=5, random_state=0, n_init=1).fit(X)
    assert metrics.inertia(X, km.labels_, centers=km.cluster_centers_) == pytest.approx(km.inertia_, rel=1e-10)


def test_centroid_index():
    a = [[0, 0], [10, 0], [0, 10]]
    assert metrics.centroid_index(a, a) == 0
    assert metrics.centroid_index(a, [[0.5, 0], [10, 0.2], [0, 9]]) == 0
    # (0, 10) is replaced by (12, 11): nothing maps to it, and (0, 10) maps to (0, 0): CI = 1.
    assert metrics.centroid_index(a, [[0, 0], [10, 0], [12, 11]]) == 1
    assert metrics.centroid_index(np.float32(a), np.array(a[:2])) == 1


def test_centroid_index_uef_s1(franti):
    X = np.loadtxt(franti / "s1.txt")
    labels = np.loadtxt(franti / "s1-label.pa", dtype=np.int64)
    truth = np.loadtxt(franti / "s1-cb.txt")
    means = np.array([X[labels == v].mean(axis=0) for v in np.unique(labels)])
    assert metrics.centroid_index(means, truth) == 0


def test_exported():
    assert centrix.metrics is metrics
    assert "metrics" in centrix.__all__
    for name in ["adjusted_rand_score", "normalized_mutual_info_score", "silhouette_score", "centroid_index",
                 "inertia"]:
        assert callable(getattr(centrix.metrics, name))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: metrics.adjusted_rand_score([0, 1, 1], [0, 1]), "different lengths: 3 and 2"),
        (lambda: metrics.normalized_mutual_info_score([0, 1, 1], [0, 1]), "different lengths"),
        (lambda: metrics.adjusted_rand_score([], []), "empty"),
        (lambda: metrics.adjusted_rand_score([[0, 1]], [[0, 1]]), "must be 1D"),
        (lambda: metrics.normalized_mutual_info_score([0, 1, np.nan], [0, 1, 1]), "NaN"),
        (lambda: metrics.silhouette_score([[0.0], [1.0], [2.0]], [0, 1]), "3 rows but labels has 2"),
        (lambda: metrics.silhouette_score([[0.0], [1.0], [2.0]], [1, 1, 1]), "1 distinct label"),
        (lambda: metrics.silhouette_score([[0.0], [1.0], [2.0]], [0, 1, 2]), "3 distinct labels"),
        (lambda: metrics.silhouette_score([[0.0], [np.nan], [2.0], [3.0]], [0, 0, 1, 1]), "NaN at row 1"),
        (lambda: metrics.silhouette_score([[0.0], [np.inf], [2.0], [3.0]], [0, 0, 1, 1]), "infinity"),
        (lambda: metrics.silhouette_score([0.0, 1.0, 2.0], [0, 0, 1]), "2-D"),
        (lambda: metrics.silhouette_score(np.zeros((0, 2)), []), "no rows"),
        (lambda: metrics.silhouette_score([["a"], ["b"]], [0, 1]), "real numbers"),
        (lambda: metrics.silhouette_score([[0.0], [1.0], [2.0]], [0, 0, 1], metric="cosine"), "euclidean"),
        (lambda: metrics.silhouette_score([[0.0], [1.0], [2.0]], [0, 0, 1], sample_size=0), "sample_size"),
        (lambda: metrics.silhouette_score([[0.0], [1.0], [2.0]], [0, 0, 1], sample_size=1.5), "sample_size"),
        (lambda: metrics.silhouette_score([[0.0], [1.0], [2.0], [3.0]], [0, 0, 0, 1], sample_size=2,
                                          random_state=-1), "random_state"),
        (lambda: metrics.inertia([[0.0], [1.0]], [0, 2], centers=[[0.0], [1.0]]), "index the 2 centers"),
        (lambda: metrics.inertia([[0.0], [1.0]], [0, 1], centers=[[0.0, 1.0]]), "columns"),
        (lambda: metrics.inertia([[0.0], [np.nan]], [0, 1]), "NaN"),
        (lambda: metrics.centroid_index([[0.0, 1.0]], [[0.0]]), "columns"),
        (lambda: metrics.centroid_index(np.zeros((0, 2)), [[0.0, 1.0]]), "empty"),
        (lambda: metrics.centroid_index([[np.nan, 1.0]], [[0.0, 1.0]]), "NaN"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
