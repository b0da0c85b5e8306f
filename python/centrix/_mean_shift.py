"""The mean shift estimator, over centrix._core."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._kmeans import _as_c_float
from ._validation import validated_rows


def estimate_bandwidth(X, *, quantile=0.3, n_samples=None, random_state=0, n_jobs=None):
    """Estimate a mean shift bandwidth, as scikit-learn's ``estimate_bandwidth``.

    The mean over rows of the distance to their ``int(quantile * n)``-th
    nearest row (the row itself counting as the first), computed in O(n) memory.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    quantile : float, default=0.3
        Between 0 and 1; 0.5 means the median of all pairwise distances is used.
    n_samples : int, default=None
        Rows sampled for the estimate (None: all; the work is quadratic in it).
    random_state : int, default=0
        Seed of the sampling.
    n_jobs : int, default=None
        Threads (None: all cores).

    Returns
    -------
    bandwidth : float
    """
    X = _as_c_float(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D array, got {X.ndim}-D")
    seed = int(random_state) if isinstance(random_state, numbers.Integral) else 0
    threads = int(n_jobs) if n_jobs is not None and n_jobs > 0 else 0
    return _core.estimate_bandwidth(X, float(quantile), int(n_samples or 0), seed, threads)


class MeanShift(ClusterMixin, BaseEstimator):
    """Mean shift clustering by the Centrix C++ library.

    scikit-learn's ``MeanShift`` (same parameters, attributes and results),
    with a grid neighbour search instead of a ball tree, all cores, and two
    extra kernels.

    Parameters
    ----------
    bandwidth : float, default=None
        Kernel bandwidth. None estimates it as ``estimate_bandwidth(X)`` does
        (quantile 0.3 over all rows; quadratic time).
    seeds : array-like of shape (n_seeds, n_features), default=None
        Starting points; None uses the rows, or the bins with ``bin_seeding``.
    bin_seeding : bool, default=False
        Seed from a grid of side ``bandwidth``: one seed per bin holding at
        least ``min_bin_freq`` rows. Much faster for large data.
    min_bin_freq : int, default=1
        Rows a bin needs to give a seed.
    cluster_all : bool, default=True
        False labels rows farther than the bandwidth from every mode with -1.
    n_jobs : int, default=None
        Threads (None or -1: all cores). Results do not depend on it.
    max_iter : int, default=300
        Most mean updates per seed.
    kernel : {"flat", "triangular", "gaussian"}, default="flat"
        Window profile: scikit-learn's flat window; ``1 - r/bandwidth``; or
        ``exp(-r^2 / (2 bandwidth^2))`` truncated at ``gaussian_cutoff`` bandwidths.
    gaussian_cutoff : float, default=3.0
        Where the Gaussian kernel is cut off, in bandwidths: from 1 (the window that counts a mode's
        population) to 37 (where the weight underflows double).
    tol : float, default=1e-3
        A seed stops when its mean moves at most ``tol * bandwidth`` (scikit-learn's 1e-3).
    label_mode : {"nearest", "attractor"}, default="nearest"
        "nearest": each row gets its nearest mode (scikit-learn). "attractor":
        the mode its own trajectory reaches.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Modes, the most populated window first.
    labels_ : ndarray of shape (n_samples,)
        Mode of each row (-1 for orphans when ``cluster_all=False``).
    n_iter_ : int
        Most mean updates any seed made (scikit-learn counts one fewer).
    bandwidth_ : float
        The bandwidth used.
    populations_ : ndarray of shape (n_clusters,)
        Rows within the bandwidth of each mode's last window.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.
    """

    _parameter_constraints: dict = {
        "bandwidth": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "seeds": ["array-like", None],
        "bin_seeding": ["boolean"],
        "min_bin_freq": [Interval(numbers.Integral, 1, None, closed="left")],
        "cluster_all": ["boolean"],
        "n_jobs": [numbers.Integral, None],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "kernel": [StrOptions({"flat", "triangular", "gaussian"})],
        "gaussian_cutoff": [Interval(numbers.Real, 1, 37, closed="both")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "label_mode": [StrOptions({"nearest", "attractor"})],
    }

    def __init__(self, *, bandwidth=None, seeds=None, bin_seeding=False, min_bin_freq=1, cluster_all=True,
                 n_jobs=None, max_iter=300, kernel="flat", gaussian_cutoff=3.0, tol=1e-3, label_mode="nearest"):
        self.bandwidth = bandwidth
        self.seeds = seeds
        self.bin_seeding = bin_seeding
        self.min_bin_freq = min_bin_freq
        self.cluster_all = cluster_all
        self.n_jobs = n_jobs
        self.max_iter = max_iter
        self.kernel = kernel
        self.gaussian_cutoff = gaussian_cutoff
        self.tol = tol
        self.label_mode = label_mode

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

    def _threads(self):
        return int(self.n_jobs) if self.n_jobs is not None and self.n_jobs > 0 else 0

    def fit(self, X, y=None):
        """Find the modes and label the rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : MeanShift
        """
        self._validate_params()
        X = validated_rows(self, X, reset=True)
        seeds = None
        if self.seeds is not None:
            seeds = np.ascontiguousarray(np.asarray(self.seeds, dtype=np.float64))
            if seeds.ndim != 2 or seeds.shape[1] != X.shape[1]:
                raise ValueError(f"seeds must have shape (n_seeds, {X.shape[1]}), got {seeds.shape}")
        raw = _core.mean_shift(
            X, float(self.bandwidth or 0.0), 0.3, 0, self.kernel, float(self.gaussian_cutoff), seeds,
            bool(self.bin_seeding), int(self.min_bin_freq), bool(self.cluster_all), int(self.max_iter),
            float(self.tol), self.label_mode, 0, self._threads(),
        )
        self.cluster_centers_ = raw["centers"]
        self.labels_ = raw["labels"]
        self.n_iter_ = int(raw["n_iter"])
        self.bandwidth_ = float(raw["bandwidth"])
        self.populations_ = raw["populations"]
        return self

    def predict(self, X):
        """Index of the nearest mode of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int32
        """
        check_is_fitted(self)
        X = validated_rows(self, X, reset=False)
        centers = np.ascontiguousarray(self.cluster_centers_.astype(X.dtype, copy=False))
        return _core.predict(X, centers, "euclidean", self._threads())
