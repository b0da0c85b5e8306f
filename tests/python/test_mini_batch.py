"""centrix.MiniBatchKMeans: scikit-learn conformance, quality against scikit-learn, streaming, errors."""

import pickle
import statistics

import numpy as np
import pytest
import sklearn.cluster
from sklearn.datasets import make_blobs
from sklearn.utils.estimator_checks import check_estimator

import centrix


def test_check_estimator_passes_every_check_but_the_listed_ones():
    estimator = centrix.MiniBatchKMeans()
    expected = estimator.__sklearn_tags__().expected_failed_checks
    assert set(expected) == {"check_sample_weight_equivalence_on_dense_data"}
    results = check_estimator(estimator, on_fail=None, expected_failed_checks=expected)
    failed = [(r["check_name"], str(r["exception"])[:300]) for r in results if r["status"] == "failed"]
    assert failed == []
    assert len([r for r in results if r["status"] == "passed"]) >= 50


# --- the same quality as scikit-learn's MiniBatchKMeans ------------------------------------------


def median_inertia(cls, X, seeds, **params):
    return statistics.median(cls(random_state=s, **params).fit(X).inertia_ for s in seeds)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_inertia_near_sklearn_on_blobs(init):
    X = make_blobs(n_samples=20000, n_features=16, centers=40, cluster_std=2.0, random_state=0)[0]
    params = dict(n_clusters=40, batch_size=1024, init=init)
    ours = median_inertia(centrix.MiniBatchKMeans, X, range(5), **params)
    theirs = median_inertia(sklearn.cluster.MiniBatchKMeans, X, range(5), **params)
    assert ours == pytest.approx(theirs, rel=0.05)


def test_inertia_near_sklearn_on_uef_s1(franti):
    X = np.loadtxt(franti / "s1.txt")
    params = dict(n_clusters=15, batch_size=256)
    ours = median_inertia(centrix.MiniBatchKMeans, X, range(7), **params)
    theirs = median_inertia(sklearn.cluster.MiniBatchKMeans, X, range(7), **params)
    assert ours == pytest.approx(theirs, rel=0.05)


def test_partial_fit_equals_sklearn_from_given_centers():
    # Without reassignment and with given centers nothing is random: the weight-sum updates must agree.
    X, _ = make_blobs(n_samples=3000, n_features=5, centers=6, random_state=3)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    init = X[:6].copy()
    ours = centrix.MiniBatchKMeans(6, init=init, reassignment_ratio=0.0)
    theirs = sklearn.cluster.MiniBatchKMeans(6, init=init, reassignment_ratio=0.0)
    for first in range(0, 3000, 250):
        batch = slice(first, first + 250)
        ours.partial_fit(X[batch], sample_weight=weights[batch])
        theirs.partial_fit(X[batch], sample_weight=weights[batch])
        np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10, atol=1e-10)
        np.testing.assert_array_equal(ours.labels_, theirs.labels_)
        assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    assert ours.n_steps_ == theirs.n_steps_ == 12
    np.testing.assert_allclose(ours.counts_, theirs._counts, rtol=1e-12)


def test_partial_fit_streaming_equals_repeated_calls_through_pickle():
    # The state is the estimator's arrays: pickling between batches changes nothing, reassignments included.
    X, _ = make_blobs(n_samples=4000, n_features=3, centers=12, random_state=1)
    batches = np.array_split(X, 20)
    straight = centrix.MiniBatchKMeans(12, random_state=5, reassignment_ratio=0.5)
    hopping = centrix.MiniBatchKMeans(12, random_state=5, reassignment_ratio=0.5)
    for batch in batches:
        straight.partial_fit(batch)
        hopping = pickle.loads(pickle.dumps(hopping)).partial_fit(batch)
    np.testing.assert_array_equal(straight.cluster_centers_, hopping.cluster_centers_)
    np.testing.assert_array_equal(straight.counts_, hopping.counts_)
    assert straight.n_steps_ == 20


def test_partial_fit_continues_a_fit():
    X, _ = make_blobs(n_samples=2000, n_features=2, centers=4, random_state=2)
    km = centrix.MiniBatchKMeans(4, batch_size=200, random_state=0).fit(X)
    steps, total = km.n_steps_, km.counts_.sum()
    km.partial_fit(X[:100])
    assert km.n_steps_ == steps + 1
    assert km.counts_.sum() == pytest.approx(total + 100)
    assert km.labels_.shape == (100,)


def test_n_iter_and_n_steps_follow_sklearn():
    X, _ = make_blobs(n_samples=1000, n_features=2, centers=3, random_state=0)
    km = centrix.MiniBatchKMeans(3, batch_size=300, max_iter=4, max_no_improvement=None, random_state=0).fit(X)
    assert km.n_steps_ == 4 * 1000 // 300
    assert km.n_iter_ == int(np.ceil(km.n_steps_ * 300 / 1000))
    assert not km.converged_
    assert len(km.history_["batch_inertia"]) == km.n_steps_


def test_same_result_as_the_cli(centrix, tmp_path):
    X, _ = make_blobs(n_samples=3000, n_features=4, centers=5, random_state=7)
    np.save(tmp_path / "x.npy", X)
    centrix("fit", tmp_path / "x.npy", "-k", 5, "--mini-batch", 128, "--seed", 11, "--centers", tmp_path / "c.npy",
            "--labels", tmp_path / "l.npy")
    import centrix as cx

    km = cx.MiniBatchKMeans(5, batch_size=128, random_state=11).fit(X)
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy"), km.cluster_centers_)
    np.testing.assert_array_equal(np.load(tmp_path / "l.npy"), km.labels_)


def test_thread_count_and_unit_weights_do_not_change_the_result():
    X, _ = make_blobs(n_samples=20000, n_features=8, centers=20, random_state=4)
    base = centrix.MiniBatchKMeans(20, batch_size=2048, random_state=3, n_threads=1).fit(X)
    for other in (centrix.MiniBatchKMeans(20, batch_size=2048, random_state=3, n_threads=2).fit(X),
                  centrix.MiniBatchKMeans(20, batch_size=2048, random_state=3).fit(X, sample_weight=np.ones(len(X)))):
        np.testing.assert_array_equal(base.cluster_centers_, other.cluster_centers_)
        np.testing.assert_array_equal(base.labels_, other.labels_)
        assert base.inertia_ == other.inertia_


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    X = make_blobs(n_samples=2000, n_features=3, centers=4, random_state=0)[0].astype(dtype)
    km = centrix.MiniBatchKMeans(4, batch_size=256, random_state=0).fit(X)
    assert km.cluster_centers_.dtype == dtype
    assert km.transform(X).dtype == dtype
    assert km.labels_.dtype == np.int32
    km.partial_fit(X[:100])
    assert km.cluster_centers_.dtype == dtype


def test_cosine_centers_have_unit_length():
    X = np.abs(make_blobs(n_samples=2000, n_features=5, centers=4, random_state=0)[0]) + 0.1
    km = centrix.MiniBatchKMeans(4, batch_size=256, metric="cosine", random_state=0).fit(X)
    np.testing.assert_allclose(np.linalg.norm(km.cluster_centers_, axis=1), 1.0, rtol=1e-12)


def test_compute_labels_false_keeps_the_centers():
    X, _ = make_blobs(n_samples=3000, n_features=2, centers=3, random_state=0)
    with_labels = centrix.MiniBatchKMeans(3, batch_size=128, random_state=1).fit(X)
    without = centrix.MiniBatchKMeans(3, batch_size=128, random_state=1, compute_labels=False).fit(X)
    np.testing.assert_array_equal(with_labels.cluster_centers_, without.cluster_centers_)
    assert not hasattr(without, "labels_")
    assert without.inertia_ == pytest.approx(without.history_["ewa_inertia"][-1] * len(X))


# --- bad input: one ValueError each, with a clear message ----------------------------------------

DATA = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])


@pytest.mark.parametrize("params, message", [
    (dict(batch_size=0), "'batch_size' parameter of MiniBatchKMeans must be an int in the range [1, inf)"),
    (dict(reassignment_ratio=-0.1), "'reassignment_ratio' parameter of MiniBatchKMeans must be a float in the range"),
    (dict(max_no_improvement=-1), "'max_no_improvement' parameter of MiniBatchKMeans must be"),
    (dict(n_clusters=4), "n_samples=3 should be >= n_clusters=4"),
])
def test_bad_parameters(params, message):
    with pytest.raises(ValueError) as error:
        centrix.MiniBatchKMeans(**{"n_clusters": 2, **params}).fit(DATA)
    assert message in str(error.value)


def test_nan_is_refused():
    X = DATA.copy()
    X[1, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        centrix.MiniBatchKMeans(2).fit(X)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        centrix.MiniBatchKMeans(2).partial_fit(X)


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match=r"sample weight 1 \(0-based\) is negative"):
        centrix.MiniBatchKMeans(2).fit(DATA, sample_weight=[1.0, -1.0, 1.0])
    km = centrix.MiniBatchKMeans(2).partial_fit(DATA)
    with pytest.raises(ValueError, match=r"sample weight 1 \(0-based\) is negative"):
        km.partial_fit(DATA, sample_weight=[1.0, -1.0, 1.0])


def test_batch_with_other_feature_count_is_refused():
    km = centrix.MiniBatchKMeans(2).partial_fit(DATA)
    with pytest.raises(ValueError, match="X has 3 features, but MiniBatchKMeans is expecting 2 features"):
        km.partial_fit(np.ones((4, 3)))
