"""Clustering-quality measures over centrix._core, with scikit-learn's names and conventions.

``adjusted_rand_score`` and ``normalized_mutual_info_score`` give the values of
``sklearn.metrics`` (the same degenerate cases); ``silhouette_score`` and
``silhouette_samples`` are exact, multi-threaded, and the same to the last bit
whatever the thread count; ``centroid_index`` is Fränti's Centroid Index and
``inertia`` the k-means objective of a labeling. Each accepts any array-like and
raises ``ValueError`` for bad input.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from . import _core

__all__ = [
    "adjusted_rand_score",
    "centroid_index",
    "inertia",
    "normalized_mutual_info_score",
    "silhouette_samples",
    "silhouette_score",
]

_core_metrics = _core.metrics
_INT64_MAX = np.iinfo(np.int64).max


def _as_labels(labels, name):
    """1-D C-contiguous int32 or int64 labels; any other values (strings, floats) are numbered by np.unique."""
    try:
        labels = np.asarray(labels)
    except ValueError as error:  # ragged nested sequences
        raise ValueError(f"{name} must be a 1-D array of labels: {error}") from None
    if labels.ndim != 1:
        raise ValueError(f"{name} must be 1D: shape is {labels.shape}")
    kind = labels.dtype.kind
    if labels.dtype in (np.dtype(np.int32), np.dtype(np.int64)):
        return np.ascontiguousarray(labels)
    if kind in "bi" or (kind == "u" and (labels.size == 0 or labels.max() <= _INT64_MAX)):
        return np.ascontiguousarray(labels, dtype=np.int64)
    if kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError(f"{name} contains NaN or infinity")
    if kind == "c":
        raise ValueError(f"{name} must hold discrete labels, got complex values")
    try:
        _, codes = np.unique(labels, return_inverse=True)
    except TypeError as error:  # e.g. a mix of numbers and strings
        raise ValueError(f"{name} holds values that cannot be compared: {error}") from None
    return np.ascontiguousarray(codes.reshape(-1), dtype=np.int64)


def _label_pair(labels_true, labels_pred):
    a = _as_labels(labels_true, "labels_true")
    b = _as_labels(labels_pred, "labels_pred")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"labels_true and labels_pred have different lengths: {a.shape[0]} and {b.shape[0]}"
        )
    if a.shape[0] == 0:
        raise ValueError("labels_true and labels_pred are empty")
    if a.dtype != b.dtype:
        a, b = a.astype(np.int64, copy=False), b.astype(np.int64, copy=False)
    return a, b


def _as_data(X, name="X"):
    """2-D C-contiguous float32 (kept as it is) or float64 data."""
    try:
        X = np.asarray(X)
    except ValueError as error:
        raise ValueError(f"{name} must be a 2-D array of numbers: {error}") from None
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D array for {name}, got {X.ndim}-D with shape {X.shape}")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {X.dtype}")
    if X.dtype != np.float32:
        X = X.astype(np.float64, copy=False)
    return np.ascontiguousarray(X)


def _data_and_labels(X, labels):
    X = _as_data(X)
    labels = _as_labels(labels, "labels")
    if labels.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but labels has {labels.shape[0]} values")
    if X.shape[0] == 0:
        raise ValueError("X has no rows")
    if X.shape[1] == 0:
        raise ValueError("X has no columns")
    return X, labels


def _check_metric(metric):
    if metric != "euclidean":
        raise ValueError(f"metric must be 'euclidean' (the only one centrix computes), got {metric!r}")


def _seed_from(random_state):
    """An integer seed: the integer itself, else drawn from the RandomState (None: NumPy's global one)."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}")
        return int(random_state) % (1 << 64)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int64).max))
    try:
        rng = check_random_state(random_state)
    except ValueError as error:
        raise ValueError(f"random_state: {error}") from None
    return int(rng.randint(np.iinfo(np.int32).max))


def adjusted_rand_score(labels_true, labels_pred):
    """Adjusted Rand index (Hubert & Arabie 1985), as ``sklearn.metrics.adjusted_rand_score``.

    The Rand index (fraction of pairs of samples on which both labelings agree)
    corrected for chance: 1 for identical partitions (also when both are a
    single cluster or all singletons), about 0 for random ones, negative below
    chance. Label values are arbitrary; the value is symmetric.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth labels.
    labels_pred : array-like of shape (n_samples,)
        Cluster labels to evaluate.

    Returns
    -------
    ari : float
    """
    a, b = _label_pair(labels_true, labels_pred)
    return float(_core_metrics.adjusted_rand_index(a, b))


def normalized_mutual_info_score(labels_true, labels_pred):
    """Normalized mutual information, as ``sklearn.metrics.normalized_mutual_info_score``.

    ``I(true; pred) / mean(H(true), H(pred))`` (arithmetic mean, natural
    logarithms; Strehl & Ghosh 2002, Vinh et al. 2010): 1 when both labelings
    are a single cluster, 0 when only one of them is. In [0, 1]; symmetric.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth labels.
    labels_pred : array-like of shape (n_samples,)
        Cluster labels to evaluate.

    Returns
    -------
    nmi : float
    """
    a, b = _label_pair(labels_true, labels_pred)
    return float(_core_metrics.normalized_mutual_info(a, b))


def silhouette_score(X, labels, *, metric="euclidean", sample_size=None, random_state=None):
    """Mean silhouette coefficient (Rousseeuw 1987), as ``sklearn.metrics.silhouette_score``.

    ``s = (b - a) / max(a, b)`` per sample, with ``a`` the mean Euclidean
    distance to the other samples of its cluster and ``b`` the smallest mean
    distance to the samples of another cluster; 0 for samples alone in their
    cluster. Exact: O(n^2 d) time, O(n d) memory, all cores.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        float32 is computed from float32 values (distances in float64).
    labels : array-like of shape (n_samples,)
        Cluster of each sample; 2 to n_samples - 1 distinct values.
    metric : {"euclidean"}, default="euclidean"
        Only the Euclidean distance is available.
    sample_size : int, default=None
        Compute the silhouette of this many samples drawn at random without
        replacement (the silhouette of that subset alone, as scikit-learn).
        None uses every sample.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the sample (only used with ``sample_size``). An integer gives
        the same sample as ``centrix score --seed``.

    Returns
    -------
    silhouette : float
    """
    _check_metric(metric)
    X, labels = _data_and_labels(X, labels)
    size = 0
    seed = 0
    if sample_size is not None:
        if not isinstance(sample_size, numbers.Integral) or isinstance(sample_size, bool) or sample_size < 1:
            raise ValueError(f"sample_size must be an integer >= 1 or None, got {sample_size!r}")
        size = int(sample_size)
        seed = _seed_from(random_state)
    return float(_core_metrics.silhouette(X, labels, size, seed, 0))


def silhouette_samples(X, labels, *, metric="euclidean"):
    """Silhouette coefficient of each sample, as ``sklearn.metrics.silhouette_samples``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Cluster of each sample; 2 to n_samples - 1 distinct values.
    metric : {"euclidean"}, default="euclidean"

    Returns
    -------
    silhouette : ndarray of shape (n_samples,), float64
    """
    _check_metric(metric)
    X, labels = _data_and_labels(X, labels)
    return _core_metrics.silhouette_samples(X, labels, 0)


def centroid_index(centers_a, centers_b):
    """Centroid Index (Fränti, Rezaei & Zhao 2014) between two sets of centers.

    Each center of one set is mapped to its nearest center of the other; the
    CI is the largest number of centers that nothing maps to, in either
    direction. 0 means both sets describe the same clusters.

    Parameters
    ----------
    centers_a : array-like of shape (k_a, n_features)
    centers_b : array-like of shape (k_b, n_features)

    Returns
    -------
    ci : int
    """
    a = np.ascontiguousarray(_as_data(centers_a, "centers_a"), dtype=np.float64)
    b = np.ascontiguousarray(_as_data(centers_b, "centers_b"), dtype=np.float64)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"centers_a has {a.shape[1]} columns but centers_b has {b.shape[1]}")
    if a.shape[0] == 0 or b.shape[0] == 0:
        raise ValueError("an empty set of centers")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("the centers contain NaN or infinity")
    return int(_core_metrics.centroid_index(a, b))


def inertia(X, labels, centers=None):
    """Sum of squared Euclidean distances from each sample to its cluster center.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Without ``centers``: any values, each cluster's center is the mean of
        its samples (the within-cluster sum of squares). With ``centers``: the
        row of ``centers`` of each sample, in [0, n_centers).
    centers : array-like of shape (n_centers, n_features), default=None
        The centers, e.g. ``KMeans().cluster_centers_``.

    Returns
    -------
    inertia : float
    """
    X, labels = _data_and_labels(X, labels)
    if centers is None:
        means = _core_metrics.label_means(X, labels)
        return float(_core_metrics.inertia(X, means["centers"], means["labels"]))
    centers = np.ascontiguousarray(_as_data(centers, "centers"), dtype=X.dtype)
    if centers.shape[1] != X.shape[1]:
        raise ValueError(f"centers have {centers.shape[1]} columns but X has {X.shape[1]}")
    if labels.size and (labels.min() < 0 or labels.max() >= centers.shape[0]):
        raise ValueError(
            f"labels must index the {centers.shape[0]} centers (0 to {centers.shape[0] - 1}), "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return float(_core_metrics.inertia(X, centers, np.ascontiguousarray(labels, dtype=np.int32)))
