"""centrix.plot (matplotlib, Agg backend) and KMeans(max_frames=...), the frames it animates."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.utils._param_validation import InvalidParameterError

import centrix

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.animation import FuncAnimation, PillowWriter  # noqa: E402
from matplotlib.colors import to_rgba, to_rgba_array  # noqa: E402

from centrix import plot  # noqa: E402

# The tests draw frames by hand rather than play the animations.
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")

PALETTE_RGBA = {tuple(c) for c in to_rgba_array(plot.PALETTE)}
GREY = to_rgba(plot.NOISE_COLOR)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def blobs(n=600, d=2, k=4, seed=0, std=0.6):
    X, y, centers = make_blobs(n_samples=n, n_features=d, centers=k, cluster_std=std, random_state=seed,
                               return_centers=True)
    return X, y, centers


def drawn_offsets(result):
    return np.vstack([c.get_offsets() for c in result.points])


def drawn_colours(collections):
    return [tuple(c) for coll in collections for c in coll.get_facecolor()]


def numpy_pca(X):
    """The reference: principal axes and explained variance ratios by SVD of the centred rows."""
    centred = X - X.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    variance = s**2 / (len(X) - 1)
    return vt, variance / variance.sum()


# --- the palette and the optional dependency -------------------------------------------------------------------


def test_palette_is_tableau_10():
    assert plot.PALETTE == ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
                            "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC")
    assert len(set(plot.MARKERS)) == len(plot.MARKERS) >= 7


def test_missing_matplotlib_raises_import_error_with_install_hint(monkeypatch):
    X, _, _ = blobs(n=50)
    model = centrix.KMeans(3, random_state=0).fit(X)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    for call in (lambda: plot.clusters(X, model), lambda: plot.convergence(model), lambda: plot.animate(X, model)):
        with pytest.raises(ImportError, match=r"pip install centrix\[plot\]"):
            call()


def test_import_centrix_works_without_matplotlib():
    script = textwrap.dedent("""
        import sys
        sys.modules["matplotlib"] = None  # as if it were not installed
        import numpy as np, centrix
        X = np.random.default_rng(0).standard_normal((40, 2))
        model = centrix.KMeans(2, random_state=0).fit(X)
        assert "matplotlib" not in [m for m, v in sys.modules.items() if v is not None]
        assert len(centrix.plot.PALETTE) == 10
        try:
            centrix.plot.clusters(X, model)
        except ImportError as error:
            print("ImportError:", error)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "ImportError:" in out and "pip install centrix[plot]" in out


# --- clusters ----------------------------------------------------------------------------------------------------


def test_clusters_draws_every_point_in_palette_colours_with_centers_and_true_centers():
    X, _, true_centers = blobs(n=600, k=4)
    model = centrix.KMeans(4, random_state=0).fit(X)
    result = plot.clusters(X, model, true_centers=true_centers)
    fig, ax = result  # unpacks as (fig, ax)
    assert fig is result.fig and ax is result.ax
    assert result.n_drawn == len(X) == len(drawn_offsets(result))
    colours = drawn_colours(result.points)
    assert set(colours) <= PALETTE_RGBA and len(set(colours)) == 4
    # The colour of each point is its cluster's, and the drawn points are the rows themselves (2 columns).
    offsets = drawn_offsets(result)
    order = np.lexsort(X.T)
    np.testing.assert_array_equal(offsets[np.lexsort(offsets.T)], X[order])
    expected = to_rgba_array(plot.PALETTE)[model.labels_ % 10]
    got = np.array(colours)[np.lexsort(offsets.T)]
    np.testing.assert_array_equal(got, expected[order])
    assert len(result.centers.get_offsets()) == 4
    np.testing.assert_allclose(result.centers.get_offsets(), model.cluster_centers_)
    assert len(result.true_centers.get_offsets()) == 4
    assert tuple(result.centers.get_facecolor()[0]) == to_rgba("white")
    assert tuple(result.centers.get_edgecolor()[0]) == to_rgba("black")
    assert result.true_centers.get_facecolor().size == 0  # hollow rings
    assert "sample" not in ax.get_title()
    assert ax.get_xlabel() == "feature 0" and ax.get_ylabel() == "feature 1"


def test_clusters_draws_at_most_max_points_and_says_so():
    X, _, _ = blobs(n=3000, k=3)
    model = centrix.KMeans(3, random_state=0).fit(X)
    result = plot.clusters(X, model, max_points=500, random_state=1)
    assert result.n_drawn == 500 == len(drawn_offsets(result))
    assert "500 of 3,000 points drawn (uniform sample)" in result.ax.get_title()
    # Seeded: the same sample again; the drawn points are rows of X.
    again = plot.clusters(X, model, max_points=500, random_state=1)
    np.testing.assert_array_equal(drawn_offsets(result), drawn_offsets(again))
    rows = {tuple(r) for r in X}
    assert all(tuple(p) in rows for p in drawn_offsets(result))
    assert plot.clusters(X, model, max_points=None).n_drawn == 3000


def test_clusters_on_principal_components_for_more_than_two_columns():
    X, _, _ = blobs(n=800, d=6, k=5, std=1.0)
    model = centrix.KMeans(5, random_state=0).fit(X)
    result = plot.clusters(X, model)
    axes, ratio = numpy_pca(X)
    assert result.ax.get_xlabel() == f"PC1 ({100 * ratio[0]:.1f}% of variance)"
    assert result.ax.get_ylabel() == f"PC2 ({100 * ratio[1]:.1f}% of variance)"
    # The centers are drawn at their projection on the first two principal axes (up to each axis's sign).
    projected = (model.cluster_centers_ - X.mean(axis=0)) @ axes[:2].T
    drawn = result.centers.get_offsets()
    for j in range(2):
        sign = np.sign(drawn[:, j] @ projected[:, j])
        np.testing.assert_allclose(drawn[:, j], sign * projected[:, j], atol=1e-8 * np.abs(projected).max())
    assert result.n_drawn == len(X)


def test_clusters_with_one_column_draws_against_zeros():
    X = np.concatenate([np.zeros(50), np.full(50, 10.0)])[:, None] + np.linspace(0, 1, 100)[:, None]
    model = centrix.KMeans(2, random_state=0).fit(X)
    result = plot.clusters(X, model)
    offsets = drawn_offsets(result)
    assert len(offsets) == 100 and np.all(offsets[:, 1] == 0)


def test_clusters_beyond_ten_clusters_cycles_marker_shapes():
    X, _, _ = blobs(n=2500, k=25, std=0.3, seed=3)
    model = centrix.KMeans(25, random_state=0).fit(X)
    result = plot.clusters(X, model)
    assert len(result.points) == 3  # markers o, s, ^ for clusters 0-9, 10-19, 20-24
    assert sum(len(c.get_offsets()) for c in result.points) == len(X)
    assert set(drawn_colours(result.points)) <= PALETTE_RGBA
    paths = [c.get_paths()[0].vertices for c in result.points]
    assert not np.array_equal(paths[0], paths[1]) and not np.array_equal(paths[1], paths[2])


def test_clusters_with_mean_shift_greys_out_orphans():
    X, _, _ = blobs(n=500, k=3, std=0.4)
    X = np.vstack([X, [[30.0, 30.0], [-30.0, 30.0]]])  # far from every mode
    model = centrix.MeanShift(bandwidth=2.0, bin_seeding=True, min_bin_freq=5, cluster_all=False).fit(X)
    assert np.sum(model.labels_ == -1) >= 2
    result = plot.clusters(X, model)
    colours = drawn_colours(result.points)
    assert len(colours) == len(X)
    assert colours.count(GREY) == np.sum(model.labels_ == -1)
    assert set(colours) <= PALETTE_RGBA | {GREY}
    assert len(result.centers.get_offsets()) == len(model.cluster_centers_)
    assert result.ax.get_title().startswith("MeanShift")
    assert "not in a cluster" in [t.get_text() for t in result.ax.get_legend().get_texts()]


def test_clusters_of_new_data_uses_predict():
    X, _, _ = blobs(n=400, k=3)
    model = centrix.KMeans(3, random_state=0).fit(X)
    new = X[:150] + 0.01
    result = plot.clusters(new, model)
    colours = np.array(drawn_colours(result.points))
    offsets = drawn_offsets(result)
    labels = model.predict(offsets)
    np.testing.assert_array_equal(colours, to_rgba_array(plot.PALETTE)[labels])


def test_clusters_draws_on_a_given_axes():
    X, _, _ = blobs(n=100, k=2)
    model = centrix.KMeans(2, random_state=0).fit(X)
    fig, axes = plt.subplots(1, 2)
    result = plot.clusters(X, model, ax=axes[1])
    assert result.ax is axes[1] and result.fig is fig


# --- convergence -------------------------------------------------------------------------------------------------


def test_convergence_lines_are_the_history_on_log_scales():
    X, _, _ = blobs(n=2000, k=8, std=1.5, seed=2)
    model = centrix.KMeans(8, init="random", n_init=3, random_state=0).fit(X)
    result = plot.convergence(model)
    ax_inertia, ax_shift = result.axes
    assert ax_inertia.get_yscale() == "log" and ax_shift.get_yscale() == "log"
    history = model.history_
    assert sorted(result.inertia_lines) == sorted(np.unique(history["run"]).tolist()) == [0, 1, 2]
    for run, line in result.inertia_lines.items():
        mask = history["run"] == run
        np.testing.assert_array_equal(line.get_ydata(), history["inertia"][mask])
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, mask.sum() + 1))
        np.testing.assert_array_equal(result.shift_lines[run].get_ydata(), history["center_shift"][mask])
    # The kept run is the one with the model's inertia, drawn thicker.
    kept = result.kept_run
    assert kept is not None
    widths = {run: line.get_linewidth() for run, line in result.inertia_lines.items()}
    assert widths[kept] == max(widths.values()) > min(widths.values())
    fig, axes = result
    assert fig is result.fig


def test_convergence_on_one_axes_uses_a_twin_y_axis():
    X, _, _ = blobs(n=500, k=3)
    model = centrix.KMeans(3, random_state=0).fit(X)
    _, ax = plt.subplots()
    result = plot.convergence(model, ax=ax)
    assert result.axes[0] is ax and result.axes[1] is not ax
    assert result.axes[1].get_yscale() == "log"
    np.testing.assert_array_equal(result.shift_lines[0].get_ydata(), model.history_["center_shift"])


def test_convergence_refuses_models_without_history():
    X, _, _ = blobs(n=200, k=2)
    with pytest.raises(TypeError, match="history_"):
        plot.convergence(centrix.MeanShift(bandwidth=2.0).fit(X))


# --- animate -----------------------------------------------------------------------------------------------------


def frame_count(anim):
    return len(list(anim.new_frame_seq()))


def draw_frame(anim, i):
    """Draw frame i; return (center offsets, point offsets, point colours)."""
    artists = anim._func(i)
    points, centers = artists[:-1], artists[-1]
    return (np.array(centers.get_offsets()), np.vstack([p.get_offsets() for p in points]),
            np.vstack([p.get_facecolor() for p in points]))


def far_start(X, k):
    """k rows from one corner of the data: a start far from the final clustering."""
    corner = np.argsort(X[:, 0] + X[:, 1])[: 5 * k : 5]
    return X[corner].copy()


def test_animate_steps_from_the_initial_to_the_final_centers():
    X, _, _ = blobs(n=800, k=4, std=0.8, seed=4)
    init = far_start(X, 4)
    model = centrix.KMeans(4, init=init, n_init=1, max_frames=100).fit(X)
    anim = plot.animate(X, model)
    assert isinstance(anim, FuncAnimation)
    assert frame_count(anim) == len(model.frames_) > 2
    first_centers, first_points, first_colours = draw_frame(anim, 0)
    np.testing.assert_array_equal(first_centers, init)
    last_centers, last_points, last_colours = draw_frame(anim, frame_count(anim) - 1)
    np.testing.assert_array_equal(last_centers, model.cluster_centers_)
    np.testing.assert_array_equal(first_points, last_points)  # one group of markers: the same order
    assert {tuple(c) for c in last_colours} <= PALETTE_RGBA
    changed = np.any(first_colours != last_colours, axis=1)
    assert changed.mean() > 0.1
    # The last frame colours each row by its cluster in the model.
    np.testing.assert_array_equal(last_colours, to_rgba_array(plot.PALETTE)[model.labels_])
    assert "final centers" in anim._fig.axes[0].get_title()


def test_animate_replays_a_fit_without_frames():
    X, _, _ = blobs(n=1500, d=5, k=6, std=1.2, seed=5)
    model = centrix.KMeans(6, random_state=None).fit(X)  # a seed drawn from NumPy's global state
    assert not hasattr(model, "frames_")
    anim = plot.animate(X, model, max_frames=20, max_points=300)
    replay = centrix.KMeans(6, random_state=model._fit_seed, max_frames=20).fit(X)
    np.testing.assert_array_equal(replay.cluster_centers_, model.cluster_centers_)
    assert frame_count(anim) == len(replay.frames_) <= 20
    _, points, _ = draw_frame(anim, 0)
    assert len(points) == 300
    assert "300 of 1,500 points drawn" in anim._fig.axes[0].get_title()


def test_animate_thins_a_models_frames_to_max_frames():
    X, _, _ = blobs(n=800, k=4, std=0.8, seed=4)
    model = centrix.KMeans(4, init=far_start(X, 4), max_frames=100).fit(X)
    anim = plot.animate(X, model, max_frames=3)
    assert frame_count(anim) == 3 < len(model.frames_)
    np.testing.assert_array_equal(draw_frame(anim, 2)[0], model.cluster_centers_)


def test_animate_refuses_what_it_cannot_replay():
    X, _, _ = blobs(n=500, k=3)
    model = centrix.KMeans(3, random_state=0).fit(X)
    with pytest.raises(RuntimeError, match="training data"):
        plot.animate(X[::-1] + 0.5, model)
    weighted = centrix.KMeans(3, random_state=0).fit(X, sample_weight=np.linspace(1, 2, len(X)))
    with pytest.raises(ValueError, match="max_frames"):
        plot.animate(X, weighted)
    with pytest.raises(NotImplementedError, match="mean shift"):
        plot.animate(X, centrix.MeanShift(bandwidth=2.0).fit(X))


def test_animate_saves_a_gif(tmp_path):
    from PIL import Image

    X, _, _ = blobs(n=200, k=3, seed=6)
    model = centrix.KMeans(3, init=far_start(X, 3), max_frames=6).fit(X)
    fig, ax = plt.subplots(figsize=(3, 3))
    anim = plot.animate(X, model, ax=ax, interval=100)
    path = tmp_path / "fit.gif"
    anim.save(path, writer=PillowWriter(fps=5), dpi=40)
    with Image.open(path) as gif:
        assert gif.n_frames == frame_count(anim) == len(model.frames_)


# --- KMeans(max_frames=...) ----------------------------------------------------------------------------------------


def test_max_frames_keeps_the_path_of_the_kept_run():
    X, _, _ = blobs(n=1000, d=3, k=5, std=1.0, seed=7)
    init = X[:5].copy()
    model = centrix.KMeans(5, init=init, max_frames=1000).fit(X)
    F = len(model.frames_)
    assert model.frames_.shape == (F, 5, 3) and model.frames_.dtype == np.float64
    assert model.frame_iterations_.shape == (F, 2)
    # Unthinned: the initial centers, then one frame per further iteration, then the final centers.
    assert F == model.n_iter_ + 1
    np.testing.assert_array_equal(model.frames_[0], init)
    np.testing.assert_array_equal(model.frames_[-1], model.cluster_centers_)
    np.testing.assert_array_equal(model.frame_iterations_[:, 1], [*range(1, F), 0])
    np.testing.assert_array_equal(model.frame_iterations_[:, 0], 0)
    # float32 data gives float32 frames.
    model32 = centrix.KMeans(5, init=init, max_frames=10).fit(X.astype(np.float32))
    assert model32.frames_.dtype == np.float32


def test_max_frames_thins_long_paths_keeping_first_and_last():
    X = np.random.default_rng(8).standard_normal((3000, 2))
    init = X[:20].copy()
    full = centrix.KMeans(20, init=init, max_frames=10_000).fit(X)
    assert full.n_iter_ > 20
    for cap in (1, 2, 5, 12):
        model = centrix.KMeans(20, init=init, max_frames=cap).fit(X)
        assert 1 <= len(model.frames_) <= cap
        np.testing.assert_array_equal(model.frames_[-1], model.cluster_centers_)
        if cap > 1:
            np.testing.assert_array_equal(model.frames_[0], init)
        # Every kept frame is one of the unthinned path's, in order.
        positions = [next(i for i, f in enumerate(full.frames_) if np.array_equal(f, g)) for g in model.frames_]
        assert positions == sorted(positions)


def test_frames_do_not_change_the_result():
    X, _, _ = blobs(n=3000, d=4, k=10, std=2.0, seed=9)
    plain = centrix.KMeans(10, random_state=3, n_init=2).fit(X)
    framed = centrix.KMeans(10, random_state=3, n_init=2, max_frames=25).fit(X)
    np.testing.assert_array_equal(plain.cluster_centers_, framed.cluster_centers_)
    np.testing.assert_array_equal(plain.labels_, framed.labels_)
    assert plain.inertia_ == framed.inertia_ and plain.n_iter_ == framed.n_iter_
    for key in plain.history_:
        if key != "seconds":
            np.testing.assert_array_equal(plain.history_[key], framed.history_[key])
    assert not hasattr(plain, "frames_") and not hasattr(plain, "frame_iterations_")
    assert len(framed.frames_) <= 25
    np.testing.assert_array_equal(framed.frames_[-1], framed.cluster_centers_)
    # A refit with max_frames=0 drops the frames of an earlier fit.
    framed.set_params(max_frames=0).fit(X)
    assert not hasattr(framed, "frames_")


def test_kmeans_function_returns_frames():
    X, _, _ = blobs(n=500, k=3)
    result = centrix.kmeans(X, 3, seed=1, max_frames=8)
    assert result.frames.shape[1:] == (3, 2) and 1 <= len(result.frames) <= 8
    assert result.frame_iterations.shape == (len(result.frames), 2)
    np.testing.assert_array_equal(result.frames[-1], result.centers)
    assert centrix.kmeans(X, 3, seed=1).frames.shape == (0, 3, 2)


def test_max_frames_is_validated():
    X, _, _ = blobs(n=100, k=2)
    with pytest.raises(InvalidParameterError, match="max_frames"):
        centrix.KMeans(2, max_frames=-1).fit(X)
