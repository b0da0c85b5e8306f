"""centrix fit equals scikit-learn's Lloyd from the same initial centers.

Every exact algorithm (Lloyd, Hamerly, Yinyang, Elkan) is checked, against scikit-learn's
Lloyd and against its Elkan, which must agree with each other too.

scikit-learn is run in the same test, so there are no expected files to
regenerate: a newer scikit-learn is checked the next time the suite runs.
"""

import json

import numpy as np
import pytest
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.datasets import make_blobs


def mojo_table(n_features, n_centers):
    X, _ = make_blobs(n_samples=3000, n_features=n_features, centers=n_centers, cluster_std=5.0, random_state=0)
    return X


def workshop():
    return np.random.default_rng(0).random((5000, 26))


WORKLOADS = {
    "mojo-table-100": (lambda: mojo_table(100, 5), 5),
    "mojo-table-200": (lambda: mojo_table(200, 10), 10),
    "workshop": (workshop, 26),
}


ALGORITHMS = ["lloyd", "hamerly", "yinyang", "elkan"]


def fit_both(centrix, tmp_path, X, k, dtype, tol=1e-4, max_iter=300, algorithm="auto", theirs_algorithm="lloyd"):
    X = np.ascontiguousarray(X, dtype=dtype)
    init, _ = kmeans_plusplus(X, k, random_state=1)
    np.save(tmp_path / "data.npy", X)
    np.save(tmp_path / "init.npy", init.astype(np.float64))
    centrix(
        "fit", tmp_path / "data.npy", "-k", k, "--init", tmp_path / "init.npy", "--tol", tol,
        "--max-iter", max_iter, "--labels", tmp_path / "labels.npy", "--centers", tmp_path / "centers.npy",
        "--summary", tmp_path / "summary.json", "--algorithm", algorithm,
    )
    ours = {
        "labels": np.load(tmp_path / "labels.npy"),
        "centers": np.load(tmp_path / "centers.npy"),
        **json.loads((tmp_path / "summary.json").read_text()),
    }
    theirs = KMeans(n_clusters=k, init=init, n_init=1, algorithm=theirs_algorithm, tol=tol, max_iter=max_iter).fit(X)
    return ours, theirs


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_float64_matches_sklearn_lloyd(centrix, tmp_path, name, algorithm):
    make, k = WORKLOADS[name]
    ours, theirs = fit_both(centrix, tmp_path, make(), k, np.float64, algorithm=algorithm)
    np.testing.assert_array_equal(ours["labels"], theirs.labels_)
    assert ours["n_iter"] == theirs.n_iter_
    assert ours["inertia"] == pytest.approx(theirs.inertia_, rel=1e-10)
    np.testing.assert_allclose(ours["centers"], theirs.cluster_centers_, rtol=0, atol=1e-9)
    assert ours["dtype"] == "float64"


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_float32_agrees_with_sklearn_lloyd(centrix, tmp_path, name):
    make, k = WORKLOADS[name]
    ours, theirs = fit_both(centrix, tmp_path, make(), k, np.float32)
    assert ours["dtype"] == "float32"
    agreement = np.mean(ours["labels"] == theirs.labels_)
    assert agreement >= 0.999, agreement
    assert ours["inertia"] == pytest.approx(theirs.inertia_, rel=1e-4)


@pytest.mark.parametrize("theirs_algorithm", ["lloyd", "elkan"])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("name,k", [("s1", 15), ("a1", 20), ("unbalance", 8)])
def test_uef_float64_matches_sklearn(centrix, tmp_path, franti, name, k, algorithm, theirs_algorithm):
    X = np.loadtxt(franti / f"{name}.txt")
    ours, theirs = fit_both(centrix, tmp_path, X, k, np.float64, algorithm=algorithm,
                            theirs_algorithm=theirs_algorithm)
    np.testing.assert_array_equal(ours["labels"], theirs.labels_)
    assert ours["inertia"] == pytest.approx(theirs.inertia_, rel=1e-10)
