"""centrix._core.pca against scikit-learn's PCA and NumPy's SVD, on random data."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from centrix import _core

# (rows, columns, components)
SHAPES = [(50, 3, 2), (500, 10, 10), (2000, 40, 3), (3000, 130, 7), (30, 50, 5), (5000, 2, 2), (1, 4, 2)]


def _data(n, d, seed):
    """Columns of different scales, correlated, away from the origin: distinct variances along components."""
    rng = np.random.default_rng(seed)
    scales = 3.0 / (1.0 + np.arange(d)) ** 0.7
    mixing = np.linalg.qr(rng.normal(size=(d, d)))[0]
    return (rng.normal(size=(n, d)) * scales) @ mixing + rng.uniform(-5, 5, size=d)


def _fit(X, k, max_rows=0, seed=0, n_threads=0):
    return _core.pca(X, k, max_rows, seed, n_threads)


def _flip(vt):
    """scikit-learn's svd_flip on the components: the largest-magnitude loading of each row positive."""
    largest = np.argmax(np.abs(vt), axis=1)
    return vt * np.sign(vt[np.arange(len(vt)), largest])[:, None]


@pytest.mark.parametrize("n,d,k", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_sklearn_and_svd(n, d, k, dtype):
    X = np.ascontiguousarray(_data(n, d, n + d + k).astype(dtype))
    out = _fit(X, k)
    assert set(out) == {"mean", "components", "explained_variance", "explained_variance_ratio"}
    assert out["mean"].shape == (d,) and out["components"].shape == (k, d)
    assert out["explained_variance"].shape == (k,) and out["explained_variance_ratio"].shape == (k,)
    for value in out.values():
        assert value.dtype == np.float64

    # Centrix computes in double from the float32 values: the reference is the float64 fit of the same values.
    X64 = X.astype(np.float64)
    np.testing.assert_allclose(out["mean"], X64.mean(axis=0), rtol=1e-12, atol=1e-12)
    if n == 1:  # one row: no variance, and no reference (scikit-learn divides by n - 1 = 0)
        assert np.all(out["explained_variance"] == 0) and np.all(out["explained_variance_ratio"] == 0)
        np.testing.assert_allclose(out["components"] @ out["components"].T, np.eye(k), atol=1e-15)
        return

    reference = PCA(n_components=k, svd_solver="full").fit(X64)
    np.testing.assert_allclose(out["explained_variance_ratio"], reference.explained_variance_ratio_, rtol=1e-10)
    np.testing.assert_allclose(out["explained_variance"], reference.explained_variance_, rtol=1e-10)
    # The same sign convention, so the components themselves agree.
    np.testing.assert_allclose(out["components"], reference.components_, atol=1e-8)

    # And NumPy's SVD of the centered data.
    centered = X64 - X64.mean(axis=0)
    _, s, vt = np.linalg.svd(centered, full_matrices=False)
    np.testing.assert_allclose(out["components"], _flip(vt[:k]), atol=1e-8)
    np.testing.assert_allclose(out["explained_variance"], s[:k] ** 2 / (n - 1), rtol=1e-10)

    # Projections: (X - mean) @ components.T is scikit-learn's transform.
    projected = (X64 - out["mean"]) @ out["components"].T
    np.testing.assert_allclose(projected, reference.transform(X64), atol=1e-9 * np.abs(X64).max())


def test_all_components_explain_everything():
    X = _data(400, 6, 1)
    out = _fit(X, 6)
    assert out["explained_variance_ratio"].sum() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(out["components"] @ out["components"].T, np.eye(6), atol=1e-12)


def test_sample_is_seeded_and_threads_do_not_matter():
    X = _data(20000, 8, 2)
    full = _fit(X, 3)
    a = _fit(X, 3, max_rows=3000, seed=7)
    b = _fit(X, 3, max_rows=3000, seed=7, n_threads=1)
    c = _fit(X, 3, max_rows=3000, seed=8)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["mean"], c["mean"])
    # A sample of rows gives nearly the full fit's directions, with the same signs.
    for sampled in (a, c):
        cosines = np.sum(sampled["components"] * full["components"], axis=1)
        assert np.all(cosines > 0.99), cosines
    one, two = _fit(X, 3, n_threads=1), _fit(X, 3, n_threads=2)
    for key in one:
        np.testing.assert_array_equal(one[key], two[key])


def test_bad_input_raises_value_error():
    X = _data(10, 3, 3)
    with pytest.raises(ValueError, match="n_components must be at least 1"):
        _fit(X, 0)
    with pytest.raises(ValueError, match="n_components = 4 is larger than the number of columns"):
        _fit(X, 4)
    with pytest.raises(ValueError, match="no rows"):
        _fit(np.zeros((0, 3)), 1)
    bad = X.copy()
    bad[4, 2] = np.nan
    with pytest.raises(ValueError, match="NaN at row 4, column 2"):
        _fit(bad, 1)
    bad[4, 2] = np.inf
    with pytest.raises(ValueError, match="infinity at row 4, column 2"):
        _fit(bad.astype(np.float32), 1)
