"""The mini-batch k-means estimator, over centrix._core (include/centrix/mini_batch.hpp)."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import fields

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

from . import _core
from ._kmeans import CentrixTags, KMeans, _resolve_init, _seed_from
from ._validation import validated_rows


class MiniBatchKMeans(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """Mini-batch k-means (Sculley 2010) by the Centrix C++ library.

    A drop-in replacement for :class:`sklearn.cluster.MiniBatchKMeans`: the
    same parameters, methods and fitted attributes and the same algorithm
    (batches drawn with replacement in proportion to the sample weight, the
    per-center "weight sums" update with learning rate 1 / count, random
    reassignment of low-count centers, early stopping on the smoothed batch
    inertia), bitwise reproducible for a given ``random_state`` whatever
    ``n_threads``. Where it departs from scikit-learn is listed in
    ``docs/mini_batch.md`` (centers are held in float64 during the fit; the
    random streams differ, so results agree statistically, not bitwise).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), default="k-means++"
        How the first centers are chosen, on ``init_size`` rows drawn with
        replacement: greedy k-means++, ``n_clusters`` distinct rows drawn in
        proportion to their weight, or the given centers.
    max_iter : int, default=100
        Most passes over the data (epochs): at most ``max_iter * n_samples // batch_size`` steps.
    batch_size : int, default=1024
        Rows per step (capped at ``n_samples``).
    verbose : int, default=0
        Print one line per step when positive.
    compute_labels : bool, default=True
        Label every row and compute the exact inertia at the end of ``fit``
        (and label the batch after each ``partial_fit``).
    random_state : int, RandomState instance or None, default=None
        An int is used as the seed itself (``random_state=s`` equals
        ``centrix fit --mini-batch B --seed s``). None draws a seed from
        NumPy's global state.
    tol : float, default=0.0
        Stop when a step moves the centers by at most ``tol`` times the mean
        feature variance (summed squared shift). 0 turns it off.
    max_no_improvement : int or None, default=10
        Stop after this many steps in a row without a new minimum of the
        exponentially weighted average of the batch inertia. None turns it off.
    init_size : int or None, default=None
        Rows sampled for the initialisation; None means ``3 * batch_size``
        (at least ``3 * n_clusters``), capped at ``n_samples``.
    n_init : "auto" or int, default="auto"
        Initialisations tried, each on its own sample; the one with the lowest
        inertia on a validation sample is kept. "auto" is 3 for "random", 1
        otherwise.
    reassignment_ratio : float, default=0.01
        Centers whose count is below this fraction of the largest count are
        moved onto batch rows (checked every ``10 * n_clusters`` rows, and
        whenever a center has count 0). 0 turns it off.
    metric : {"euclidean", "cosine"}, default="euclidean"
        "cosine": rows and centers scaled to unit length, inertia is the
        weighted sum of ``1 - cos``, ``transform`` returns ``1 - cos``.
    n_threads : int or None, default=None
        Threads for the C++ work; None uses all cores. Results do not depend on it.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centers, in the dtype of the (last) training data.
    labels_ : ndarray of shape (n_samples,), int32
        Cluster of each training row (of the last batch after ``partial_fit``),
        if ``compute_labels``.
    inertia_ : float
        Sum of sample-weighted squared distances of the rows to their center
        (if ``compute_labels``; otherwise the smoothed batch inertia times the total weight).
    n_iter_ : int
        Epochs started: ``ceil(n_steps_ * batch_size / n_samples)``.
    n_steps_ : int
        Mini-batch steps done (``fit`` and every ``partial_fit`` since).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.
    converged_ : bool
        Whether ``fit`` stopped on ``tol`` or ``max_no_improvement``.
    history_ : dict of ndarray
        Per step of ``fit``: ``step``, ``batch_inertia`` (sum over the batch,
        before the step moved the centers), ``ewa_inertia`` (smoothed mean
        batch inertia; NaN on the first step), ``center_shift``,
        ``n_reassigned``, ``seconds``.
    counts_ : ndarray of shape (n_clusters,)
        Weight each center has received (its learning rate is ``1 / count``).

    Examples
    --------
    >>> import numpy as np, centrix
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], dtype=float)
    >>> km = centrix.MiniBatchKMeans(n_clusters=2, batch_size=6, random_state=0).fit(X)
    >>> sorted(np.round(km.cluster_centers_).tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "compute_labels": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "max_no_improvement": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "init_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_init": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "reassignment_ratio": [Interval(numbers.Real, 0, None, closed="left")],
        "metric": [StrOptions({"euclidean", "cosine"})],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    def __init__(self, n_clusters=8, *, init="k-means++", max_iter=100, batch_size=1024, verbose=0,
                 compute_labels=True, random_state=None, tol=0.0, max_no_improvement=10, init_size=None,
                 n_init="auto", reassignment_ratio=0.01, metric="euclidean", n_threads=None):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.verbose = verbose
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.metric = metric
        self.n_threads = n_threads

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return CentrixTags(
            **{f.name: getattr(tags, f.name) for f in fields(tags)},
            expected_failed_checks={
                # As for scikit-learn's own MiniBatchKMeans (sklearn/utils/_test_common/instance_generator.py):
                # batches are random draws, so weights equal repeated rows only in distribution.
                "check_sample_weight_equivalence_on_dense_data": (
                    "sample_weight is not equivalent to removing/repeating samples: batches and the initialisation "
                    "are random draws, so the equivalence holds in distribution only"
                ),
            },
        )

    def _params(self, X, seed, warn=True):
        init_name, initial_centers = _resolve_init(self.init, self.n_clusters, X.shape[1], X.dtype)
        if warn and initial_centers is not None and self.n_init not in ("auto", 1):
            warnings.warn(
                f"Explicit initial center position passed: performing only one init in {type(self).__name__} "
                f"instead of n_init={self.n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
        return {
            "n_clusters": int(self.n_clusters), "metric": self.metric, "init": init_name,
            "initial_centers": initial_centers, "n_local_trials": 0,
            "n_init": 0 if self.n_init == "auto" else int(self.n_init), "batch_size": int(self.batch_size),
            "max_iter": int(self.max_iter),
            "max_no_improvement": None if self.max_no_improvement is None else int(self.max_no_improvement),
            "tol": float(self.tol), "reassignment_ratio": float(self.reassignment_ratio),
            "init_size": int(self.init_size or 0), "compute_labels": bool(self.compute_labels), "seed": int(seed),
            "n_threads": int(self.n_threads or 0), "verbose": int(self.verbose),
        }

    def _weights(self, sample_weight, X):
        if sample_weight is None:
            return None
        return np.ascontiguousarray(_check_sample_weight(sample_weight, X, dtype=np.float64))

    def _keep_state(self, raw):
        self.cluster_centers_ = raw["centers"]
        self.counts_ = raw["counts"]
        self.n_steps_ = int(raw["n_steps"])
        self._centers64 = raw["centers64"]
        self._n_since_last_reassign = int(raw["n_since_last_reassign"])
        self._n_features_out = self.cluster_centers_.shape[0]

    def fit(self, X, y=None, sample_weight=None):
        """Compute the centers on X by mini-batches.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows. C-contiguous float32/float64 arrays are used without
            a copy; other layouts and dtypes are converted once.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row: batches draw rows in proportion
            to it. None weighs all rows equally.

        Returns
        -------
        self : MiniBatchKMeans
            Fitted estimator.
        """
        self._validate_params()
        X = validated_rows(self, X, reset=True)
        weights = self._weights(sample_weight, X)
        seed = _seed_from(self.random_state)
        raw = _core.mini_batch_fit(X, self._params(X, seed), weights)
        for message in raw["warnings"]:
            warnings.warn(message, RuntimeWarning, stacklevel=2)
        self._keep_state(raw)
        self._seed = seed
        if self.compute_labels:
            self.labels_ = raw["labels"]
        else:
            self.__dict__.pop("labels_", None)
        self.inertia_ = float(raw["inertia"])
        self.n_iter_ = int(raw["n_iter"])
        self.converged_ = bool(raw["converged"])
        self.history_ = dict(raw["history"])
        return self

    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the centers with one mini-batch step on X.

        The first call (on an unfitted estimator) chooses the initial centers
        from X. The random choices of step s depend only on the seed and s,
        so the estimator pickles and continues exactly.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The batch.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row of the batch.

        Returns
        -------
        self : MiniBatchKMeans
            Updated estimator.
        """
        has_centers = hasattr(self, "cluster_centers_")
        if not has_centers:
            self._validate_params()
        X = validated_rows(self, X, reset=not has_centers)
        weights = self._weights(sample_weight, X)
        if has_centers:
            seed = self._seed
            state = (self._centers64, np.ascontiguousarray(self.counts_, dtype=np.float64), self.n_steps_,
                     self._n_since_last_reassign)
        else:
            seed = _seed_from(self.random_state)
            state = (None, None, 0, 0)
        raw = _core.mini_batch_partial_fit(X, self._params(X, seed, warn=not has_centers), weights, *state)
        self._keep_state(raw)
        self._seed = seed
        if self.compute_labels:
            centers = np.ascontiguousarray(self.cluster_centers_.astype(X.dtype, copy=False))
            self.labels_ = _core.predict(X, centers, self.metric, int(self.n_threads or 0))
            self.inertia_ = float(_core.inertia(X, centers, self.labels_, self.metric, weights))
        return self

    # Prediction against the fitted centers is the same as KMeans'.
    _validate_X = KMeans._validate_X
    _test_data = KMeans._test_data
    predict = KMeans.predict
    transform = KMeans.transform
    fit_transform = KMeans.fit_transform
    score = KMeans.score

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_
