"""Pictures of clusterings, drawn with matplotlib (an optional dependency: ``pip install centrix[plot]``).

- :func:`clusters`: the rows of ``X`` in 2-D (the first two principal
  components when ``X`` has more than two columns), coloured by cluster, with
  the found centers and, if given, the true ones.
- :func:`convergence`: inertia and center shift per iteration of a fitted
  :class:`centrix.KMeans` (from ``history_``), on log scales.
- :func:`animate`: a :class:`matplotlib.animation.FuncAnimation` of the centers
  moving, iteration by iteration, with the rows coloured by their nearest
  center of each frame (from ``KMeans(max_frames=...)``).

Every function returns the matplotlib objects it made and never calls
``plt.show()``. Importing this module does not import matplotlib; calling a
function without matplotlib installed raises ImportError saying how to get it.

Colours are Tableau 10 (:data:`PALETTE`), readable with the common colour
vision deficiencies; cluster ``j`` gets ``PALETTE[j % 10]`` and, beyond ten
clusters, the marker ``MARKERS[(j // 10) % len(MARKERS)]``, so clusters 0 and
10 differ in shape. Rows labelled -1 (mean shift orphans) are light grey.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from . import _core
from ._kmeans import _as_c_float

__all__ = ["PALETTE", "MARKERS", "NOISE_COLOR", "ClustersPlot", "ConvergencePlot", "clusters", "convergence",
           "animate"]

#: Tableau 10: the colour of cluster ``j`` is ``PALETTE[j % 10]``.
PALETTE = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
           "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC")
#: Marker of cluster ``j``: ``MARKERS[(j // len(PALETTE)) % len(MARKERS)]``.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "p", "h", "*")
#: Colour of rows labelled -1 (not in any cluster).
NOISE_COLOR = "#D3D3D3"

_INSTALL_HINT = "centrix.plot needs matplotlib (>= 3.6): pip install centrix[plot]  (or: pip install matplotlib)"
_PCA_MAX_ROWS = 20_000  # the projection is fitted on at most this many rows (a seeded uniform sample)


def _pyplot():
    """matplotlib.pyplot, or ImportError with the install hint."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return plt


@dataclass
class ClustersPlot:
    """What :func:`clusters` returns.

    Unpacks as ``fig, ax = clusters(...)``.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    points : list of matplotlib.collections.PathCollection
        The drawn rows: one collection per marker shape in use (only one up to
        ten clusters), plus one for rows labelled -1 if there are any (first).
    centers : matplotlib.collections.PathCollection
        The found centers (white, black-edged).
    true_centers : matplotlib.collections.PathCollection or None
        The true centers (hollow black rings), when given.
    n_drawn : int
        Rows drawn (all of them, or ``max_points`` sampled uniformly).
    """

    fig: object
    ax: object
    points: list = field(default_factory=list)
    centers: object = None
    true_centers: object = None
    n_drawn: int = 0

    def __iter__(self):
        return iter((self.fig, self.ax))


@dataclass
class ConvergencePlot:
    """What :func:`convergence` returns.

    Unpacks as ``fig, (ax_inertia, ax_shift) = convergence(model)``.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    axes : tuple of two matplotlib.axes.Axes
        Inertia axes, center-shift axes (the same figure; a twin y axis when
        :func:`convergence` was given a single Axes).
    inertia_lines, shift_lines : dict of int to matplotlib.lines.Line2D
        One line per run (``history_["run"]``), keyed by run number.
    kept_run : int or None
        The run whose result the model kept (drawn thicker).
    """

    fig: object
    axes: tuple
    inertia_lines: dict = field(default_factory=dict)
    shift_lines: dict = field(default_factory=dict)
    kept_run: object = None

    def __iter__(self):
        return iter((self.fig, self.axes))


# --- shared pieces ---------------------------------------------------------------------------------------------


def _rows_of(X):
    """X as a C-contiguous float32/float64 2-D array."""
    A = _as_c_float(X)
    if A.ndim != 2:
        raise ValueError(f"Expected a 2-D array, got {A.ndim}-D")
    if A.shape[0] == 0:
        raise ValueError("X has no rows")
    return A


def _unit_rows(A):
    """Rows scaled to unit length (zero rows kept), as the cosine metric sees them."""
    norms = np.linalg.norm(A, axis=1, keepdims=True)
    return A / np.where(norms > 0, norms, 1)


def _sample(n, max_points, random_state):
    """Sorted indices of a seeded uniform sample of max_points of n rows, or None for all."""
    if max_points is None or n <= max_points:
        return None
    if max_points < 1:
        raise ValueError(f"max_points must be positive, got {max_points}")
    return np.sort(np.random.default_rng(random_state).choice(n, int(max_points), replace=False))


class _Projection:
    """Rows of d columns to 2-D: the first two principal components (C++ PCA) when d > 2, the columns when
    d == 2, the column against zeros when d == 1."""

    def __init__(self, A, random_state, column_names=None):
        self.d = A.shape[1]
        self.mean = None
        if self.d > 2:
            if not hasattr(_core, "pca"):
                raise RuntimeError("this build of centrix has no PCA (centrix._core.pca): reinstall centrix")
            seed = int(random_state) if random_state is not None else 0
            fitted = _core.pca(A, 2, _PCA_MAX_ROWS, seed, 0)
            self.mean = np.asarray(fitted["mean"], dtype=np.float64)
            self.components = np.asarray(fitted["components"], dtype=np.float64)
            self.ratio = np.asarray(fitted["explained_variance_ratio"], dtype=np.float64)
            self.labels = tuple(f"PC{i + 1} ({100 * r:.1f}% of variance)" for i, r in enumerate(self.ratio[:2]))
        else:
            names = list(column_names) if column_names is not None else [f"feature {j}" for j in range(self.d)]
            self.labels = (str(names[0]), str(names[1]) if self.d == 2 else "")

    def __call__(self, rows):
        rows = np.asarray(rows, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != self.d:
            raise ValueError(f"expected rows of {self.d} columns, got shape {rows.shape}")
        if self.mean is not None:
            return (rows - self.mean) @ self.components[:2].T
        if self.d == 2:
            return rows.copy()
        return np.column_stack([rows[:, 0], np.zeros(len(rows))])

    def label_axes(self, ax):
        ax.set_xlabel(self.labels[0])
        ax.set_ylabel(self.labels[1])
        if self.d == 1:
            ax.set_yticks([])


def _colours_and_groups(labels):
    """RGBA colour and marker-group index of each label (-1: noise colour, group -1)."""
    from matplotlib.colors import to_rgba, to_rgba_array

    labels = np.asarray(labels)
    palette = to_rgba_array(PALETTE)
    colours = np.empty((len(labels), 4))
    noise = labels < 0
    colours[~noise] = palette[labels[~noise] % len(PALETTE)]
    colours[noise] = to_rgba(NOISE_COLOR)
    groups = np.where(noise, -1, (labels // len(PALETTE)) % len(MARKERS))
    return colours, groups


def _point_size(m):
    return float(np.clip(20_000 / max(m, 1), 2.0, 20.0))


def _new_axes(ax, figsize=(6.4, 5.6)):
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def _labels_for_rows(X, A, rows, model):
    """Labels of the drawn rows: the model's labels_ when X is its training data, else model.predict."""
    trained = getattr(model, "labels_", None)
    subset = X if rows is None else (X.iloc[rows] if hasattr(X, "iloc") else A[rows])
    predicted = None
    if hasattr(model, "predict"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # feature-name mismatches of array vs DataFrame
            predicted = np.asarray(model.predict(subset))
    if trained is not None and len(trained) == len(A):
        own = np.asarray(trained if rows is None else np.asarray(trained)[rows])
        if predicted is None:
            return own
        # Rows as many as the training data: take them to be it unless predict disagrees (then X is other data).
        known = own >= 0
        if not known.any() or np.mean(own[known] == predicted[known]) >= 0.9:
            return own
    if predicted is None:
        raise ValueError("X is not the model's training data and the model has no predict method")
    return predicted


# --- clusters ----------------------------------------------------------------------------------------------------


def clusters(X, model, ax=None, true_centers=None, *, max_points=5000, random_state=0):
    """Scatter plot of the rows of ``X`` coloured by the clusters of a fitted ``model``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows to draw. With more than 2 columns they are drawn on their first
        two principal components (a PCA fitted by the Centrix C++ library on
        the rows of ``X``, or on a seeded sample of 100,000 of them) and the
        axes say how much of the variance each component holds, e.g.
        "PC1 (42.1% of variance)"; with 2 columns as they are; with 1 column
        against zeros.
    model : fitted centrix.KMeans or centrix.MeanShift
        Anything with ``cluster_centers_`` and ``predict`` or ``labels_`` works
        (scikit-learn's estimators too). Colours are ``model.labels_`` when
        ``X`` is the training data (as many rows, and ``predict`` agrees on
        the drawn rows' labelled ones), else ``model.predict(X)``. Rows
        labelled -1 are light grey. For ``metric="cosine"`` the rows and
        centers are drawn scaled to unit length, as the model sees them.
    ax : matplotlib.axes.Axes, optional
        Where to draw; None makes a new figure.
    true_centers : array-like of shape (n_true, n_features), optional
        Drawn as hollow black rings.
    max_points : int or None, default=5000
        Most rows drawn: more are replaced by a uniform sample of this many
        (seeded by ``random_state``), and the title says so. None draws all.
    random_state : int, default=0
        Seed of the sample and of the PCA's row sample.

    Returns
    -------
    ClustersPlot
        ``fig``, ``ax``, the ``points`` collections, the ``centers`` and
        ``true_centers`` collections and ``n_drawn``; unpacks as ``fig, ax``.
    """
    _pyplot()
    A = _rows_of(X)
    n, d = A.shape
    centers = np.asarray(model.cluster_centers_, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != d:
        raise ValueError(f"the model's centers have shape {centers.shape}, but X has {d} columns")
    rows = _sample(n, max_points, random_state)
    labels = _labels_for_rows(X, A, rows, model)
    cosine = getattr(model, "metric", None) == "cosine"
    shown = A if rows is None else A[rows]
    if cosine:
        shown, A = _unit_rows(shown), _unit_rows(A)
    projection = _Projection(A, random_state, getattr(X, "columns", None))
    P = projection(shown)
    m = len(P)

    fig, ax = _new_axes(ax)
    colours, groups = _colours_and_groups(labels)
    size = _point_size(m)
    points = []
    for group in np.unique(groups):  # -1 (noise) first, under the clusters
        mask = groups == group
        marker = "o" if group < 0 else MARKERS[group]
        points.append(ax.scatter(P[mask, 0], P[mask, 1], c=colours[mask], s=size, marker=marker, linewidths=0,
                                 zorder=1, label="not in a cluster" if group < 0 else None))
    C = projection(_unit_rows(centers) if cosine else centers)
    center_collection = ax.scatter(C[:, 0], C[:, 1], s=110, marker="o", facecolors="white", edgecolors="black",
                                   linewidths=1.5, zorder=3, label="found centers")
    handles = [c for c in points if c.get_label() == "not in a cluster"] + [center_collection]
    true_collection = None
    if true_centers is not None:
        T = np.asarray(true_centers, dtype=np.float64)
        if T.ndim != 2 or T.shape[1] != d:
            raise ValueError(f"true_centers has shape {T.shape}, but X has {d} columns")
        T = projection(_unit_rows(T) if cosine else T)
        true_collection = ax.scatter(T[:, 0], T[:, 1], s=280, marker="o", facecolors="none", edgecolors="black",
                                     linewidths=1.5, zorder=4, label="true centers")
        handles.append(true_collection)
    projection.label_axes(ax)
    if d == 2:
        ax.set_aspect("equal", adjustable="datalim")
    ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.8)
    title = f"{type(model).__name__}: {len(centers)} clusters, {n:,} points"
    if m < n:
        title += f"\n{m:,} of {n:,} points drawn (uniform sample)"
    ax.set_title(title)
    return ClustersPlot(fig=fig, ax=ax, points=points, centers=center_collection, true_centers=true_collection,
                        n_drawn=m)


# --- convergence -------------------------------------------------------------------------------------------------


def convergence(model, ax=None):
    """Inertia and center shift per iteration of a fitted :class:`centrix.KMeans`, on log scales.

    Every run of ``model.history_`` is drawn, one colour per run (the
    palette's), the kept run thick and the others faint. The x axis counts
    the run's iterations in the order they ran: the first descent, then the
    Lloyd iterations of each swap trial (rejected ones included, which is why
    the inertia may jump up and back) and of the final descent; thin grey
    vertical lines mark where each swap trial of the kept run starts.
    Iterations whose center shift is 0 (nothing moved) are not visible on the
    log scale.

    Parameters
    ----------
    model : fitted centrix.KMeans
        Anything with a ``history_`` dict holding ``run``, ``swap``,
        ``inertia`` and ``center_shift`` arrays.
    ax : matplotlib.axes.Axes or pair of Axes, optional
        None: a new figure with two stacked subplots sharing the x axis
        (inertia above, center shift below). A pair: those two axes. One Axes:
        inertia on it (solid lines, left y axis) and center shift on a twin y
        axis (dashed lines, right).

    Returns
    -------
    ConvergencePlot
        ``fig``, ``axes`` (inertia, shift), ``inertia_lines`` and
        ``shift_lines`` (dicts of run -> Line2D) and ``kept_run``; unpacks as
        ``fig, axes``.
    """
    plt = _pyplot()
    history = getattr(model, "history_", None)
    if not isinstance(history, dict) or "inertia" not in history:
        raise TypeError(f"convergence needs a fitted centrix.KMeans (with history_), got {type(model).__name__}")
    run = np.asarray(history["run"])
    swap = np.asarray(history.get("swap", np.zeros_like(run)))
    inertia = np.asarray(history["inertia"], dtype=np.float64)
    shift = np.asarray(history["center_shift"], dtype=np.float64)
    kept = getattr(model, "_best_run", None)
    runs = [int(r) for r in np.unique(run)]
    if kept is None and len(runs) == 1:
        kept = runs[0]

    twin = False
    if ax is None:
        fig, (ax_inertia, ax_shift) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 5.6))
    elif isinstance(ax, (list, tuple, np.ndarray)):
        ax_inertia, ax_shift = ax
        fig = ax_inertia.figure
    else:
        ax_inertia, ax_shift, twin = ax, ax.twinx(), True
        fig = ax.figure

    inertia_lines, shift_lines = {}, {}
    for r in runs:
        mask = run == r
        x = np.arange(1, int(mask.sum()) + 1)
        is_kept = r == kept
        style = {"color": PALETTE[r % len(PALETTE)], "linewidth": 2.0 if is_kept else 1.0,
                 "alpha": 1.0 if is_kept or kept is None else 0.45,
                 "marker": "." if mask.sum() <= 200 else None, "markersize": 4}
        name = f"run {r}" + (" (kept)" if is_kept and len(runs) > 1 else "")
        if twin:  # both on one plot: say which line is which, and with one run tell them apart by colour too
            inertia_name = f"{name}, inertia" if len(runs) > 1 else "inertia"
            shift_name = f"{name}, center shift" if len(runs) > 1 else "center shift"
        else:
            inertia_name = shift_name = name
        inertia_lines[r], = ax_inertia.plot(x, inertia[mask], label=inertia_name, **style)
        if twin and len(runs) == 1:
            style["color"] = PALETTE[1]
        shift_lines[r], = ax_shift.plot(x, shift[mask], linestyle="--" if twin else "-", label=shift_name, **style)
        if is_kept:
            starts = np.flatnonzero(np.diff(swap[mask]) != 0) + 1  # index where a new descent starts
            for start in starts:
                ax_inertia.axvline(x[start] - 0.5, color="0.8", linewidth=0.6, zorder=0)
                if not twin:
                    ax_shift.axvline(x[start] - 0.5, color="0.8", linewidth=0.6, zorder=0)

    for axis in (ax_inertia, ax_shift):
        axis.set_yscale("log")
    ax_inertia.set_ylabel("inertia")
    ax_shift.set_ylabel("center shift (sum of squared moves)")
    xlabel = "iteration" if not np.any(swap > 0) else "iteration (first descent, then swap trials)"
    (ax_inertia if twin else ax_shift).set_xlabel(xlabel)
    ax_inertia.set_title(f"{type(model).__name__} convergence" + (f": {len(runs)} runs" if len(runs) > 1 else ""))
    if len(runs) > 1 or twin:
        handles = list(inertia_lines.values()) + (list(shift_lines.values()) if twin else [])
        ax_inertia.legend(handles=handles, fontsize="small", loc="best")
    return ConvergencePlot(fig=fig, axes=(ax_inertia, ax_shift), inertia_lines=inertia_lines,
                           shift_lines=shift_lines, kept_run=kept)


# --- animate -----------------------------------------------------------------------------------------------------


def _thin(n_frames, max_frames):
    """Indices of at most max_frames of n_frames, evenly spaced, first and last kept."""
    if n_frames <= max_frames:
        return np.arange(n_frames)
    if max_frames < 2:
        return np.array([n_frames - 1])
    return np.unique(np.round(np.linspace(0, n_frames - 1, max_frames)).astype(np.intp))


def _frames_for(X, model, max_frames):
    """(frames F x k x d, frame_iterations F x 2) of the model's kept run: its own, or those of a replay."""
    frames = getattr(model, "frames_", None)
    if frames is not None:
        iterations = np.asarray(model.frame_iterations_)
        keep = _thin(len(frames), max_frames)
        return np.asarray(frames)[keep], iterations[keep]

    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning

    seed = getattr(model, "_fit_seed", None)
    if seed is None:
        raise ValueError("animate needs a centrix.KMeans fitted by this version of centrix; fit it again "
                         "(with max_frames > 0 to keep its path)")
    if getattr(model, "_fit_weighted", False):
        raise ValueError("the model was fitted with sample_weight, so animate cannot replay the fit from X alone: "
                         "fit it with max_frames > 0 (e.g. KMeans(..., max_frames=60)) to keep its path")
    replay = clone(model).set_params(max_frames=int(max_frames), random_state=seed, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the fit already warned
        replay.fit(X)
    if not np.array_equal(replay.cluster_centers_, model.cluster_centers_):
        raise RuntimeError("replaying the fit with max_frames did not reproduce the model's cluster_centers_: X must "
                           "be the training data, with the same dtype. Fit the model with max_frames > 0 "
                           "(e.g. KMeans(..., max_frames=60)) to keep its path, then animate it")
    return replay.frames_, replay.frame_iterations_


def _frame_caption(swap, iteration):
    if iteration == 0:
        return "final centers"
    if swap == 0:
        return f"iteration {iteration}" + (" (initial centers)" if iteration == 1 else "")
    return f"swap trial {swap}, iteration {iteration}"


def animate(X, model, *, max_frames=60, max_points=5000, interval=250, ax=None):
    """Animation of a k-means fit: the centers of each iteration, the rows coloured by their nearest one.

    The frames are the path of the kept run as the C++ library recorded it
    (``KMeans.frames_``): its initial centers, each iteration's centers, the
    iterations of each kept swap trial, and the final centers last. A model
    fitted with ``max_frames > 0`` is animated from its ``frames_`` (thinned
    evenly to ``max_frames`` if it has more). Otherwise the fit is replayed on
    ``X`` by a clone with ``max_frames`` and the seed the fit used, which
    gives the same run; the replay must reproduce ``cluster_centers_``
    exactly, else RuntimeError (``X`` must then be the training data, and a
    fit with ``sample_weight`` cannot be replayed: fit it with ``max_frames``).

    The rows are drawn as :func:`clusters` draws them (first two principal
    components for more than 2 columns; at most ``max_points``, a seeded
    uniform sample); in each frame every drawn row has the colour of its
    nearest center of that frame, and the centers are white, black-edged.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The training data of ``model``.
    model : fitted centrix.KMeans
        Mean shift is not animated here (NotImplementedError): the CLI's
        report (``centrix meanshift --report``) shows the mean-shift paths.
    max_frames : int, default=60
        Most frames.
    max_points : int or None, default=5000
        Most rows drawn (None: all).
    interval : int, default=250
        Milliseconds between frames.
    ax : matplotlib.axes.Axes, optional
        Where to draw; None makes a new figure (``animation._fig``).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With one frame per kept frame. Keep a reference to it while it plays;
        save it with e.g. ``anim.save("fit.gif", writer=PillowWriter(fps=4))``.
    """
    _pyplot()
    from matplotlib.animation import FuncAnimation

    from ._kmeans import KMeans

    if not isinstance(model, KMeans):
        if hasattr(model, "bandwidth") or type(model).__name__ == "MeanShift":
            raise NotImplementedError("centrix.plot.animate animates k-means fits only; for mean shift see the "
                                      "report of the CLI (centrix meanshift --report)")
        raise TypeError(f"animate needs a fitted centrix.KMeans, got {type(model).__name__}")
    if not hasattr(model, "cluster_centers_"):
        raise ValueError("the model is not fitted")
    if int(max_frames) < 1:
        raise ValueError(f"max_frames must be positive, got {max_frames}")

    A = _rows_of(X)
    frames, frame_iterations = _frames_for(X, model, int(max_frames))
    n, d = A.shape
    rows = _sample(n, max_points, 0)
    shown = A if rows is None else A[rows]
    cosine = model.metric == "cosine"
    if cosine:
        shown, A = _unit_rows(shown), _unit_rows(A)
    projection = _Projection(A, 0, getattr(X, "columns", None))
    P = projection(shown)
    m = len(P)
    k = frames.shape[1]

    # Every frame's labels up front (n_frames x m predictions, cheap next to drawing).
    data = np.ascontiguousarray(shown, dtype=frames.dtype)
    threads = int(model.n_threads or 0)
    frame_labels = [_core.predict(data, np.ascontiguousarray(f), model.metric, threads) for f in frames]
    frame_centers = [projection(np.asarray(f, dtype=np.float64)) for f in frames]

    fig, ax = _new_axes(ax)
    size = _point_size(m)
    n_groups = min(-(-k // len(PALETTE)), len(MARKERS))
    groups = [ax.scatter(np.empty(0), np.empty(0), s=size, marker=MARKERS[g], linewidths=0, zorder=1)
              for g in range(n_groups)]
    centers = ax.scatter(frame_centers[0][:, 0], frame_centers[0][:, 1], s=110, marker="o", facecolors="white",
                         edgecolors="black", linewidths=1.5, zorder=3)
    every = np.vstack([P, *frame_centers])
    low, high = every.min(axis=0), every.max(axis=0)
    pad = 0.05 * np.where(high > low, high - low, 1.0)
    ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
    ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
    projection.label_axes(ax)
    if d == 2:
        ax.set_aspect("equal", adjustable="box")
    note = f", {m:,} of {n:,} points drawn (uniform sample)" if m < n else ""
    n_frames = len(frames)

    def update(i):
        colours, marker_groups = _colours_and_groups(frame_labels[i])
        for g, collection in enumerate(groups):
            mask = marker_groups == g
            collection.set_offsets(P[mask])
            collection.set_facecolor(colours[mask])
        centers.set_offsets(frame_centers[i])
        swap, iteration = (int(v) for v in frame_iterations[i])
        ax.set_title(f"k-means, {k} clusters: {_frame_caption(swap, iteration)}\n"
                     f"frame {i + 1}/{n_frames}{note}", fontsize="medium")
        return [*groups, centers]

    update(0)
    return FuncAnimation(fig, update, frames=n_frames, interval=interval, repeat_delay=max(4 * interval, 1000),
                         blit=False)
