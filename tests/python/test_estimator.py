"""centrix.KMeans and centrix.kmeans: scikit-learn conformance, equivalence, and behaviour."""

import inspect
import json
import pickle
import threading
import time
import tracemalloc

import numpy as np
import pytest
import sklearn.cluster
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import centrix


def test_check_estimator_passes_every_check_but_the_listed_ones():
    estimator = centrix.KMeans()
    expected = estimator.__sklearn_tags__().expected_failed_checks
    assert set(expected) == {"check_sample_weight_equivalence_on_dense_data"}
    results = check_estimator(estimator, on_fail=None, expected_failed_checks=expected)
    failed = [(r["check_name"], str(r["exception"])[:300]) for r in results if r["status"] == "failed"]
    assert failed == []
    passed = [r for r in results if r["status"] == "passed"]
    assert len(passed) >= 50


# --- the same clustering as scikit-learn's Lloyd from the same start ------------------------------


def mojo_table(d, k):
    return make_blobs(n_samples=3000, n_features=d, centers=k, cluster_std=5.0, random_state=0)[0], k


def workshop():
    return np.random.default_rng(0).random((5000, 26)), 26


def keops_2d():
    return 0.7 * np.random.default_rng(1).standard_normal((10000, 2)) + 0.3, 50


def mid():
    return make_blobs(n_samples=100000, n_features=64, centers=256, random_state=0)[0], 256


WORKLOADS = {
    "mojo-table-100": lambda: mojo_table(100, 5),
    "mojo-table-200": lambda: mojo_table(200, 10),
    "workshop": workshop,
    "keops-2d": keops_2d,
    "mid": mid,
}


def same_start(X, k, name):
    if name == "keops-2d":
        return X[:k].copy()  # the KeOps tutorial starts from the first K points
    rng = np.random.default_rng(2)
    return X[rng.choice(len(X), k, replace=False)].copy()


def assert_equal_to_sklearn(X, init, max_iter=300):
    k = len(init)
    ours = centrix.KMeans(k, init=init, n_init=1, max_iter=max_iter).fit(X)
    theirs = sklearn.cluster.KMeans(k, init=init, n_init=1, algorithm="lloyd", max_iter=max_iter).fit(X)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_equals_sklearn_lloyd_on_workloads(name):
    X, k = WORKLOADS[name]()
    assert_equal_to_sklearn(X, same_start(X, k, name), max_iter=20 if name == "mid" else 300)


UEF = [("s1", "s1-cb.txt"), ("s2", "s2-cb.txt"), ("s3", "s3-cb.txt"), ("s4", "s4-cb.txt"), ("a1", "a1-ga-cb.txt"),
       ("a2", "a2-ga-cb.txt"), ("a3", "a3-ga-cb.txt"), ("unbalance", "unbalance-gt.txt"), ("dim032", "dim032_gt.txt"),
       ("birch1", "birch1-centroids-from-labels.txt"), ("birch2", "birch2-centroids-from-labels.txt")]


@pytest.mark.parametrize("name,truth", UEF)
def test_equals_sklearn_lloyd_on_uef(franti, name, truth):
    X = np.loadtxt(franti / f"{name}.txt")
    k = len(np.loadtxt(franti / truth))
    assert_equal_to_sklearn(X, same_start(X, k, name))


# --- the same result from C++, the CLI and Python -----------------------------------------------


def test_same_result_as_the_cli(centrix, tmp_path):
    X, _ = make_blobs(n_samples=4000, n_features=6, centers=12, random_state=3)
    np.save(tmp_path / "X.npy", X)
    centrix("fit", tmp_path / "X.npy", "-k", 12, "--seed", 77, "--n-init", 3, "--centers", tmp_path / "c.npy",
            "--labels", tmp_path / "l.npy", "--summary", tmp_path / "s.json")
    import centrix as package  # the fixture shadows the module name

    model = package.KMeans(12, random_state=77, n_init=3).fit(X)
    np.testing.assert_array_equal(model.cluster_centers_, np.load(tmp_path / "c.npy"))
    np.testing.assert_array_equal(model.labels_, np.load(tmp_path / "l.npy"))
    assert model.inertia_ == json.loads((tmp_path / "s.json").read_text())["inertia"]
    result = package.kmeans(X, 12, seed=77, n_init=3)
    np.testing.assert_array_equal(result.centers, model.cluster_centers_)


# --- dtypes, copies, threads ----------------------------------------------------------------------


def blobs32(n=20000, d=16, k=10):
    return make_blobs(n_samples=n, n_features=d, centers=k, random_state=0)[0].astype(np.float32)


def test_float32_stays_float32_and_float64_stays_float64():
    X = blobs32(2000)
    model = centrix.KMeans(10, random_state=0).fit(X)
    assert model.cluster_centers_.dtype == np.float32
    assert model.transform(X).dtype == np.float32
    assert model.labels_.dtype == np.int32
    model64 = centrix.KMeans(10, random_state=0).fit(X.astype(np.float64))
    assert model64.cluster_centers_.dtype == np.float64
    assert centrix.kmeans(X, 10).centers.dtype == np.float32


def test_c_contiguous_input_is_not_copied():
    X = blobs32(200000, 32)
    tracemalloc.start()
    centrix.KMeans(10, random_state=0, max_iter=2).fit(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < X.nbytes / 4, f"Python-side peak {peak} bytes for {X.nbytes} bytes of data"


def test_other_layouts_and_dtypes_are_converted():
    X = blobs32(3000)
    expected = centrix.KMeans(10, random_state=0).fit(X.astype(np.float64)).labels_
    for variant in (np.asfortranarray(X.astype(np.float64)), X.astype(np.float64).tolist(),
                    X.astype(np.float64)[::1, :], (X * 1000).astype(np.int64) / 1000.0):
        labels = centrix.KMeans(10, random_state=0).fit(variant).labels_
        assert np.mean(labels == expected) > 0.99


def test_thread_count_does_not_change_the_result():
    X = blobs32(30011, 24, 30)
    one = centrix.KMeans(30, random_state=5, n_threads=1).fit(X)
    two = centrix.KMeans(30, random_state=5, n_threads=2).fit(X)
    assert one.cluster_centers_.tobytes() == two.cluster_centers_.tobytes()
    assert one.inertia_ == two.inertia_
    np.testing.assert_array_equal(one.labels_, two.labels_)


def test_gil_is_released_during_fit():
    X = blobs32(400000, 32, 64)
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    start = time.perf_counter()
    centrix.KMeans(64, random_state=0, max_iter=5, n_threads=1).fit(X)
    end = time.perf_counter()
    done.set()
    thread.join()
    during = [t for t in ticks if start < t < end]
    assert end - start > 0.05
    assert len(during) > 10, f"only {len(during)} ticks in {end - start:.2f} s: the GIL was held"


def test_ctrl_c_stops_a_long_fit_promptly(interrupt_after):
    code, out, elapsed = interrupt_after(
        """
        import sys, numpy as np, centrix
        X = np.random.default_rng(0).standard_normal((300000, 64)).astype(np.float32)
        """,
        "centrix.KMeans(400, n_init=50, max_iter=1000, tol=0, random_state=0).fit(X)",
    )
    assert code == 3, out
    assert "interrupted" in out
    assert elapsed < 10, f"took {elapsed:.1f} s to stop"


# --- errors ---------------------------------------------------------------------------------------


def test_nan_and_inf_follow_sklearn_messages():
    X = np.ones((10, 2))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        centrix.KMeans(2).fit(X)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        centrix.KMeans(2).fit(X)


@pytest.mark.parametrize("make", [lambda: centrix.KMeans(2, random_state=0), lambda: centrix.MeanShift(bandwidth=1.0),
                                  lambda: centrix.MiniBatchKMeans(2, random_state=0, n_init=1)])
def test_ready_arrays_and_other_inputs_are_validated_alike(make):
    # C-contiguous float arrays skip validate_data's overhead; the checks must stay the same.
    X = np.arange(20, dtype=np.float64).reshape(10, 2) % 7
    fast, slow = make().fit(X), make().fit(X.tolist())
    assert fast.n_features_in_ == slow.n_features_in_ == 2
    np.testing.assert_array_equal(fast.labels_, slow.labels_)
    np.testing.assert_array_equal(fast.predict(X), slow.predict(X.tolist()))
    for model in (fast, slow):
        with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 2 features"):
            model.predict(np.ones((4, 3)))
    bad = X.copy()
    bad[4, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        fast.predict(bad)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        make().fit(bad)


def test_bad_inputs_raise_value_error_with_the_cli_message():
    X = np.arange(12, dtype=float).reshape(6, 2)
    with pytest.raises(ValueError, match=r"k = 7 is larger than the number of rows: n_samples=6 should be >= n_clusters=7"):
        centrix.KMeans(7).fit(X)
    with pytest.raises(ValueError, match=r"k must be at least 1 \(got 0\)"):
        centrix.kmeans(X, 0)
    with pytest.raises(ValueError, match=r"sample weight 1 \(0-based\) is negative"):
        centrix.KMeans(2).fit(X, sample_weight=[1, -1, 1, 1, 1, 1])
    with pytest.raises(ValueError, match="sample_weight.shape"):
        centrix.KMeans(2).fit(X, sample_weight=[1, 1, 1])
    with pytest.raises(ValueError, match=r"does not match .* expected \(2, 2\)"):
        centrix.KMeans(2, init=np.zeros((3, 2))).fit(X)
    with pytest.raises(ValueError, match="all zeros: the cosine metric needs rows of non-zero length"):
        centrix.KMeans(2, metric="cosine").fit(np.vstack([X, np.zeros((1, 2))]))
    with pytest.raises(ValueError, match="The 'metric' parameter"):
        centrix.KMeans(2, metric="manhattan").fit(X)


def test_fewer_distinct_points_than_k_warns_and_keeps_k_centers():
    X = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    with pytest.warns(Warning, match="only 2 distinct rows"):
        model = centrix.KMeans(3, random_state=0).fit(X)
    assert model.cluster_centers_.shape == (3, 2)


# --- scikit-learn machinery -----------------------------------------------------------------------


def test_pickle_and_clone():
    X = blobs32(3000)
    unfitted = centrix.KMeans(7, random_state=1, metric="cosine", tol_mode="inertia")
    assert pickle.loads(pickle.dumps(unfitted)).get_params() == unfitted.get_params()
    fitted = clone(unfitted).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.cluster_centers_, fitted.cluster_centers_)
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    assert restored.history_["inertia"].tolist() == fitted.history_["inertia"].tolist()
    cloned = clone(fitted)
    assert not hasattr(cloned, "cluster_centers_")
    assert cloned.get_params() == fitted.get_params()


def test_pipeline_and_grid_search():
    X, _ = make_blobs(n_samples=600, n_features=4, centers=4, random_state=0)
    pipe = make_pipeline(StandardScaler(), centrix.KMeans(random_state=0))
    search = GridSearchCV(pipe, {"kmeans__n_clusters": [2, 4, 8]}, cv=3).fit(X)
    assert search.best_params_["kmeans__n_clusters"] == 8  # score is -inertia: more clusters score higher
    assert pipe.set_params(kmeans__n_clusters=4).fit(X).predict(X).shape == (600,)
    assert pipe.fit_transform(X).shape == (600, 4)


def test_fitted_attributes_and_methods():
    X, _ = make_blobs(n_samples=500, n_features=3, centers=5, random_state=0)
    model = centrix.KMeans(5, random_state=0, refine="none")
    labels = model.fit_predict(X)
    np.testing.assert_array_equal(labels, model.labels_)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert model.n_features_in_ == 3
    assert model.n_iter_ == len(model.history_["iteration"])
    assert set(model.history_) == {"run", "swap", "iteration", "inertia", "center_shift", "seconds", "n_changed",
                                   "n_empty", "distance_evals"}
    assert np.all(np.diff(model.history_["inertia"]) <= 1e-9 * model.history_["inertia"][:-1])
    distances = model.transform(X)
    np.testing.assert_allclose(distances.min(axis=1) ** 2, ((X - model.cluster_centers_[labels]) ** 2).sum(1))
    assert model.score(X) == pytest.approx(-model.inertia_, rel=1e-12)
    np.testing.assert_allclose(model.fit_transform(X), distances)
    assert list(model.get_feature_names_out()) == [f"kmeans{i}" for i in range(5)]


def test_every_parameter_is_documented():
    doc = centrix.KMeans.__doc__
    for name in inspect.signature(centrix.KMeans).parameters:
        assert f"\n    {name} :" in doc, f"parameter {name} is not documented"
    for attribute in ("cluster_centers_", "labels_", "inertia_", "n_iter_", "n_features_in_", "history_"):
        assert f"\n    {attribute} :" in doc


# --- swap refinement ------------------------------------------------------------------------------


def uef_centroid_index(found, truth):
    """Fränti's Centroid Index, by brute force (independent of centrix.metrics)."""
    def orphans(a, b):
        nearest = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1).argmin(1)
        return len(b) - len(set(nearest.tolist()))
    return max(orphans(found, truth), orphans(truth, found))


@pytest.mark.parametrize("name,truth", [("a3", "a3-ga-cb.txt"), ("unbalance", "unbalance-gt.txt")])
def test_defaults_find_every_uef_cluster_where_sklearn_misses(franti, name, truth):
    X = np.loadtxt(franti / f"{name}.txt")
    G = np.loadtxt(franti / truth)
    for seed in range(5):
        model = centrix.KMeans(len(G), random_state=seed).fit(X)
        assert uef_centroid_index(model.cluster_centers_, G) == 0, seed
        plain = centrix.KMeans(len(G), random_state=seed, refine="none").fit(X)
        assert model.inertia_ <= plain.inertia_
        assert 0 <= model.n_swaps_accepted_ <= model.n_swaps_tried_
        assert plain.n_swaps_tried_ == 0


def test_refine_parameters_are_validated_and_reach_the_library():
    X, _ = make_blobs(n_samples=2000, n_features=2, centers=20, random_state=5)
    model = centrix.KMeans(20, random_state=1, max_swaps=2).fit(X)
    assert model.n_swaps_tried_ <= 2
    assert set(np.unique(model.history_["swap"])) <= set(range(3))
    model = centrix.KMeans(20, random_state=1, swap_patience=0).fit(X)
    assert model.n_swaps_tried_ == 0
    result = centrix.kmeans(X, 20, seed=1, refine="swap", swap_iter=1)
    assert result.n_swaps_tried >= 1
    for bad in ({"refine": "random"}, {"swap_iter": 0}, {"swap_patience": -1}, {"max_swaps": -1}):
        with pytest.raises(ValueError):
            centrix.KMeans(20, **bad).fit(X)
    # An explicit start means plain Lloyd from it, unless refinement is asked for.
    start = X[:20]
    given = centrix.KMeans(20, init=start, n_init=1).fit(X)
    assert given.n_swaps_tried_ == 0
    assert centrix.KMeans(20, init=start, n_init=1, refine="swap").fit(X).inertia_ <= given.inertia_
