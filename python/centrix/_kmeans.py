"""The k-means estimator and function, over centrix._core."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field, fields

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Tags, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from . import _core
from ._validation import _FLOAT_DTYPES, validated_rows



def _as_c_float(X):
    """X as a C-contiguous float32/float64 array: no copy when it already is one."""
    X = np.asarray(X)
    if X.dtype not in _FLOAT_DTYPES:
        X = X.astype(np.float64)
    return np.ascontiguousarray(X)


def _seed_from(random_state):
    """An integer seed: the integer itself (so the CLI's --seed gives the same result), else drawn."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state) % (1 << 64)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _resolve_init(init, n_clusters, n_features, dtype):
    """(init name for the core, initial centers or None)."""
    if isinstance(init, str):
        return init, None
    if callable(init):
        raise ValueError("callable init is not supported; pass an array of initial centers")
    centers = np.ascontiguousarray(np.asarray(init, dtype=np.float64))
    if centers.shape != (n_clusters, n_features):
        raise ValueError(
            f"The shape of the initial centers {centers.shape} does not match the number of clusters "
            f"{n_clusters} and the number of features {n_features}: expected ({n_clusters}, {n_features})."
        )
    if not np.all(np.isfinite(centers)):
        raise ValueError("The initial centers contain NaN or infinity.")
    return "given", centers


def _n_init_for(n_init, init):
    """scikit-learn's n_init='auto': 1 run for k-means++ or given centers, 10 for random."""
    if n_init == "auto":
        return 10 if isinstance(init, str) and init == "random" else 1
    return int(n_init)


@dataclass
class CentrixTags(Tags):
    """scikit-learn's tags, plus the estimator checks this estimator is known to fail, with the reason.

    Pass ``tags.expected_failed_checks`` to ``sklearn.utils.estimator_checks.check_estimator``.
    """

    expected_failed_checks: dict = field(default_factory=dict)


@dataclass
class KMeansResult:
    """What :func:`centrix.kmeans` returns.

    Attributes
    ----------
    centers : ndarray of shape (k, n_features)
        Final centers, in the input's dtype.
    labels : ndarray of shape (n_samples,), int32
        Cluster of each row.
    inertia : float
        Sum of sample-weighted squared distances to the closest center
        (for ``metric="cosine"``: of ``1 - cos``).
    n_iter : int
        Iterations of the kept run.
    converged : bool
        Whether the kept run met its stopping rule before ``max_iter``.
    history : dict of ndarray
        Per iteration of every run: ``run``, ``swap`` (0 in the first
        descent, s > 0 in the iterations after swap trial s), ``iteration``,
        ``inertia``, ``center_shift``, ``seconds``, ``n_changed``, ``n_empty``.
    n_swaps_tried, n_swaps_accepted : int
        Swap trials of the kept run, and how many lowered the inertia.
    seconds : float
        Wall time of the fit.
    warnings : list of str
        Anything worth knowing, e.g. fewer distinct rows than ``k``.
    frames : ndarray of shape (n_frames, k, n_features)
        The centers along the kept run's path, oldest first, ending with
        ``centers`` (see ``max_frames`` of :class:`KMeans`); in the input's
        dtype; ``n_frames == 0`` when ``max_frames == 0``.
    frame_iterations : ndarray of shape (n_frames, 2), int
        ``(swap, iteration)`` of each frame, as in ``history``; iteration 0
        marks the final centers.
    best_run : int
        Which of the ``n_init`` runs was kept (0-based; its ``run`` in ``history``).
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int
    converged: bool
    history: dict = field(repr=False)
    n_swaps_tried: int = 0
    n_swaps_accepted: int = 0
    seconds: float = 0.0
    warnings: list = field(default_factory=list)
    frames: np.ndarray = field(default=None, repr=False)
    frame_iterations: np.ndarray = field(default=None, repr=False)
    best_run: int = 0


def _fit_core(X, sample_weight, *, n_clusters, init, n_init, max_iter, tol, tol_mode, metric, algorithm, seed,
              n_threads, verbose, n_local_trials=0, early_stop=True, refine="auto", swap_patience=8, swap_iter=3,
              max_swaps=0, max_frames=0):
    init_name, initial_centers = _resolve_init(init, n_clusters, X.shape[1], X.dtype)
    raw = _core.fit(
        X, int(n_clusters), init_name, initial_centers, _n_init_for(n_init, init), int(n_local_trials),
        int(max_iter), float(tol), tol_mode, bool(early_stop), metric, algorithm, int(seed),
        int(n_threads or 0), sample_weight, int(verbose), refine, int(swap_patience), int(swap_iter), int(max_swaps),
        int(max_frames),
    )
    for message in raw["warnings"]:
        warnings.warn(message, ConvergenceWarning, stacklevel=3)
    return KMeansResult(
        centers=raw["centers"], labels=raw["labels"], inertia=float(raw["inertia"]), n_iter=int(raw["n_iter"]),
        converged=bool(raw["converged"]), history=dict(raw["history"]), n_swaps_tried=int(raw["n_swaps_tried"]),
        n_swaps_accepted=int(raw["n_swaps_accepted"]), seconds=float(raw["seconds"]),
        warnings=list(raw["warnings"]), frames=raw["frames"],
        frame_iterations=np.stack([raw["frame_swap"], raw["frame_iteration"]], axis=1).astype(np.intp),
        best_run=int(raw["best_run"]),
    )


def kmeans(X, k, *, sample_weight=None, init="k-means++", n_init="auto", max_iter=300, tol=1e-4, tol_mode="shift",
           metric="euclidean", algorithm="auto", seed=0, n_threads=None, verbose=0, early_stop=True,
           n_local_trials=0, refine="auto", swap_patience=8, swap_iter=3, max_swaps=0, max_frames=0):
    """Cluster the rows of ``X`` into ``k`` clusters with k-means.

    The function form of :class:`KMeans`, for when an estimator is not wanted.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data. C-contiguous float32 or float64 arrays are used without a copy;
        anything else is converted once (integers to float64).
    k : int
        Number of clusters, ``1 <= k <= n_samples``.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weight of each row (used by the init, the update and the inertia).
    init, n_init, max_iter, tol, tol_mode, metric, algorithm, n_threads, verbose
        As in :class:`KMeans`.
    refine, swap_patience, swap_iter, max_swaps, max_frames
        As in :class:`KMeans` (``max_frames`` fills ``KMeansResult.frames``).
    seed : int, default=0
        Fixes every random choice (the same as ``centrix fit --seed``).
    early_stop : bool, default=True
        False runs exactly ``max_iter`` iterations (for benchmarks).
    n_local_trials : int, default=0
        k-means++ candidates per center; 0 means ``2 + floor(ln k)``.

    Returns
    -------
    KMeansResult
    """
    X = _as_c_float(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D array, got {X.ndim}-D")
    weights = None if sample_weight is None else np.ascontiguousarray(sample_weight, dtype=np.float64)
    return _fit_core(X, weights, n_clusters=k, init=init, n_init=n_init, max_iter=max_iter, tol=tol,
                     tol_mode=tol_mode, metric=metric, algorithm=algorithm, seed=seed, n_threads=n_threads,
                     verbose=verbose, n_local_trials=n_local_trials, early_stop=early_stop, refine=refine,
                     swap_patience=swap_patience, swap_iter=swap_iter, max_swaps=max_swaps, max_frames=max_frames)


class KMeans(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """K-means clustering (Lloyd's algorithm) by the Centrix C++ library.

    A drop-in replacement for :class:`sklearn.cluster.KMeans`: the same
    parameters, methods and fitted attributes, with results equal to
    scikit-learn's Lloyd from the same initial centers, computed faster and
    bitwise reproducibly for a given ``random_state`` whatever ``n_threads``.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), default="k-means++"
        "k-means++": greedy k-means++ with ``2 + floor(ln k)`` candidates per
        center, as scikit-learn. "random": ``n_clusters`` distinct rows drawn
        with probability proportional to their weight. An array: those centers.
    n_init : "auto" or int, default="auto"
        Independent runs, keeping the lowest inertia. "auto" is 1 for
        "k-means++" and array init, 10 for "random".
    max_iter : int, default=300
        Most iterations per run.
    tol : float, default=1e-4
        Convergence tolerance; see ``tol_mode``.
    tol_mode : {"shift", "inertia"}, default="shift"
        "shift": stop when the summed squared center shift is at most ``tol``
        times the mean feature variance (scikit-learn). "inertia": stop when
        the inertia falls by at most ``tol`` relatively. A run also stops when
        no label changes.
    metric : {"euclidean", "cosine"}, default="euclidean"
        "cosine" is spherical k-means: rows and centers scaled to unit length,
        inertia is the weighted sum of ``1 - cos``, ``transform`` returns ``1 - cos``.
    algorithm : {"auto", "lloyd", "hamerly", "yinyang", "elkan"}, default="auto"
        Assignment algorithm; every choice gives identical labels and
        centers. "hamerly" keeps distance bounds per row and skips rows that
        cannot change cluster (Hamerly 2010); "yinyang" keeps one bound per
        group of about 32 centers and skips rows, then groups (Ding et al.
        2015); "elkan" one per row and center (Elkan 2003; n·k floats,
        refused above 2 GiB). "auto" uses "hamerly" where a row's distances
        are worth skipping (k >= 8 and k·d >= 4096, and k >= 32 on data
        over 64 MiB; "lloyd" otherwise), going on with "lloyd" once two
        iterations in a row compute more than 75% of the distances, or one
        more than 95%. ``history["distance_evals"]`` counts the
        distances actually computed.
    refine : {"auto", "swap", "none"}, default="auto"
        What follows Lloyd's convergence. "swap": move a center from where it
        is least useful (lowest removal cost) to split the cluster that gains
        most, settle with ``swap_iter`` Lloyd iterations and keep the swap
        only if the inertia fell; repeat until ``swap_patience`` trials in a
        row fail (Fränti 2018 random swap, ranked as in Ismkhan 2018). This
        escapes the local optima plain k-means stops in (on the UEF benchmark
        it finds every true cluster). "none": plain Lloyd, scikit-learn's
        result. "auto": "swap", unless ``init`` is an array (then the result is
        Lloyd from exactly those centers).
    swap_patience : int, default=8
        Swap trials in a row without improvement before refinement stops.
    swap_iter : int, default=3
        Lloyd iterations that settle a trial swap before it is judged.
    max_swaps : int, default=0
        Most swap trials per run; 0 means ``2 * n_clusters + 16``.
    random_state : int, RandomState instance or None, default=None
        An int is used as the seed itself, so ``random_state=s`` equals
        ``centrix fit --seed s``. None draws a seed from NumPy's global state.
    n_threads : int or None, default=None
        Threads for the C++ work; None uses all cores. Results do not depend on it.
    verbose : int, default=0
        Print one line per iteration when positive.
    copy_x : bool, default=True
        Accepted for scikit-learn compatibility; the input is never modified
        either way (Centrix centers the data on the fly, not in place).
    max_frames : int, default=0
        Keep the centers of up to this many iterations of the kept run, for
        animations (:func:`centrix.plot.animate`): its first descent, the
        iterations of each kept swap, the final descent, then the final
        centers. Longer paths are thinned evenly, always keeping the initial
        and the final centers. 0 keeps none. The result does not depend on it.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centers, in the dtype of the training data.
    labels_ : ndarray of shape (n_samples,), int32
        Cluster of each training row.
    inertia_ : float
        Sum of sample-weighted squared distances of the rows to their center.
    n_iter_ : int
        Iterations of the kept run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.
    history_ : dict of ndarray
        Per iteration of every run: ``run``, ``swap`` (0 in the run's first
        descent, s > 0 in the Lloyd iterations after swap trial s),
        ``iteration``, ``inertia`` (of that iteration's assignment),
        ``center_shift``, ``seconds``, ``n_changed``, ``n_empty``,
        ``distance_evals`` (row-center distances computed: n·k for Lloyd,
        fewer where Hamerly's or Yinyang's bounds skip).
    n_swaps_tried_, n_swaps_accepted_ : int
        Swap trials of the kept run (see ``refine``), and how many were kept.
    converged_ : bool
        Whether the kept run met its stopping rule before ``max_iter``.
    frames_ : ndarray of shape (n_frames, n_clusters, n_features)
        Only when ``max_frames > 0``: the centers along the kept run's path,
        oldest first (``frames_[0]`` are its initial centers), ending with
        ``cluster_centers_``; ``n_frames <= max_frames``.
    frame_iterations_ : ndarray of shape (n_frames, 2), int
        Only when ``max_frames > 0``: ``(swap, iteration)`` of each frame, as
        in ``history_`` (the rows of ``frames_[i]`` are the centers iteration
        ``frame_iterations_[i, 1]`` of descent ``frame_iterations_[i, 0]``
        assigned the rows to); iteration 0 marks the final centers.

    Examples
    --------
    >>> import numpy as np, centrix
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], dtype=float)
    >>> km = centrix.KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_.tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "n_init": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "tol_mode": [StrOptions({"shift", "inertia"})],
        "metric": [StrOptions({"euclidean", "cosine"})],
        "algorithm": [StrOptions({"auto", "lloyd", "hamerly", "yinyang", "elkan"})],
        "refine": [StrOptions({"auto", "swap", "none"})],
        "swap_patience": [Interval(numbers.Integral, 0, None, closed="left")],
        "swap_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_swaps": [Interval(numbers.Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "copy_x": ["boolean"],
        "max_frames": [Interval(numbers.Integral, 0, None, closed="left")],
    }

    def __init__(self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300, tol=1e-4, tol_mode="shift",
                 metric="euclidean", algorithm="auto", refine="auto", swap_patience=8, swap_iter=3, max_swaps=0,
                 random_state=None, n_threads=None, verbose=0, copy_x=True, max_frames=0):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.tol_mode = tol_mode
        self.metric = metric
        self.algorithm = algorithm
        self.refine = refine
        self.swap_patience = swap_patience
        self.swap_iter = swap_iter
        self.max_swaps = max_swaps
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.copy_x = copy_x
        self.max_frames = max_frames

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return CentrixTags(
            **{f.name: getattr(tags, f.name) for f in fields(tags)},
            expected_failed_checks={
                # As for scikit-learn's own KMeans: the check refits on the repeated rows *shuffled*,
                # and a random initialisation that depends on row order cannot pick the same starting
                # centers. Weights of 2 do equal duplicated rows in place (tests/python/test_estimator.py).
                "check_sample_weight_equivalence_on_dense_data": (
                    "sample_weight is not equivalent to removing/repeating samples once the rows are shuffled: "
                    "the random initialisation depends on row order"
                ),
            },
        )

    def _validate_X(self, X, reset):
        return validated_rows(self, X, reset)

    def fit(self, X, y=None, sample_weight=None):
        """Compute the k-means clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows. C-contiguous float32/float64 arrays are used without
            a copy; other layouts and dtypes are converted once.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row; None weighs all rows equally.

        Returns
        -------
        self : KMeans
            Fitted estimator.
        """
        self._validate_params()
        X = self._validate_X(X, reset=True)
        weights = None
        if sample_weight is not None:
            weights = np.ascontiguousarray(_check_sample_weight(sample_weight, X, dtype=np.float64))
        seed = _seed_from(self.random_state)
        result = _fit_core(
            X, weights, n_clusters=self.n_clusters, init=self.init, n_init=self.n_init, max_iter=self.max_iter,
            tol=self.tol, tol_mode=self.tol_mode, metric=self.metric, algorithm=self.algorithm,
            seed=seed, n_threads=self.n_threads, verbose=self.verbose, refine=self.refine,
            swap_patience=self.swap_patience, swap_iter=self.swap_iter, max_swaps=self.max_swaps,
            max_frames=self.max_frames,
        )
        self.cluster_centers_ = result.centers
        self.labels_ = result.labels
        self.inertia_ = result.inertia
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.history_ = result.history
        self.n_swaps_tried_ = result.n_swaps_tried
        self.n_swaps_accepted_ = result.n_swaps_accepted
        # What centrix.plot needs to replay this fit: the seed actually used (random_state=seed refits the same
        # run), whether weights shaped it, and which run was kept.
        self._fit_seed = seed
        self._fit_weighted = weights is not None
        self._best_run = result.best_run
        if self.max_frames > 0:
            self.frames_ = result.frames
            self.frame_iterations_ = result.frame_iterations
        else:  # no stale frames from an earlier fit
            self.__dict__.pop("frames_", None)
            self.__dict__.pop("frame_iterations_", None)
        self._n_features_out = self.cluster_centers_.shape[0]
        return self

    def _test_data(self, X):
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        centers = self.cluster_centers_.astype(X.dtype, copy=False)
        return X, np.ascontiguousarray(centers)

    def predict(self, X):
        """Index of the closest center of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int32
        """
        X, centers = self._test_data(X)
        return _core.predict(X, centers, self.metric, int(self.n_threads or 0))

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X):
        """Distance of each row of ``X`` to every center.

        Euclidean distance for ``metric="euclidean"``, ``1 - cos`` for
        ``metric="cosine"``; in the dtype of ``X``.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
        """
        X, centers = self._test_data(X)
        return _core.transform(X, centers, self.metric, int(self.n_threads or 0))

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then return the distances of ``X`` to the centers."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the inertia of ``X`` against the fitted centers (higher is better)."""
        X, centers = self._test_data(X)
        weights = None
        if sample_weight is not None:
            weights = np.ascontiguousarray(_check_sample_weight(sample_weight, X, dtype=np.float64))
        labels = _core.predict(X, centers, self.metric, int(self.n_threads or 0))
        return -_core.inertia(X, centers, labels, self.metric, weights)
