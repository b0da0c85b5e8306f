"""Speed: seconds per k-means iteration, Centrix against its peers, in one run.

Every system runs in this one Python process on the same data, from the same
initial centers (the first k rows of the data, as the KeOps tutorial does;
make_blobs shuffles its rows, so for blobs these are random points; for the
workload marked "k-means++ start", scikit-learn's kmeans_plusplus centers), for a
fixed number of Lloyd iterations, with no early stopping:

- Centrix: ``centrix.kmeans(..., n_init=1, early_stop=False, refine="none")``
  with ``algorithm="auto"`` ("Centrix"), ``"lloyd"``, and the accelerated
  algorithms ("elkan", "hamerly", "yinyang") where this build has them;
- scikit-learn KMeans, float32 and float64, algorithm "lloyd" and "elkan",
  ``n_init=1, tol=0`` (it still stops when no label changes: its time is
  divided by its own ``n_iter_``);
- faiss.Kmeans (float32 only), ``nredo=1``, no subsampling
  (``max_points_per_centroid=10**9``), ``train(X, init_centroids=C0)``;
- a vectorised NumPy k-means (distances through a matrix product, arg-min,
  ``np.add.at`` update), skipped where its N x K matrix would pass 2 GB.

Repetitions are interleaved (for rep: for system: run) so that the noise of a
shared machine falls on every system alike; the median is reported. Per
workload the report gives seconds per iteration, the speedup of Centrix over
the fastest peer, each system's final inertia recomputed here from its final
centers (the same code for all), GFLOP/s (2*N*D*K per iteration) against a
float32 matrix product of the same shape timed in the same rotation, Centrix's
peak memory (a fresh process) and its 1-thread against all-threads time.
Then the Mojo port's three sweeps (float64, 10 iterations, make_blobs) with a
plot of the speedup of Centrix over each peer. See docs/speed.md.

Writes bench/results/speed.md, speed.csv and speed_sweeps.{png,svg}
(``*_quick.*`` with --quick) and prints the report.

    bash bench/speed.sh [--quick]      # sets up .venv (incl. faiss-cpu) and runs this
    .venv/bin/python bench/speed.py [--quick] [--reps R] [--skip-fashion] [--only workloads|sweeps]
"""

import argparse
import csv
import functools
import gzip
import multiprocessing
import os
import pathlib
import statistics
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
import sklearn
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.cluster import kmeans_plusplus
from sklearn.datasets import make_blobs

import centrix
from machine import cpu_name
from mean_shift import notebook_2d

try:
    import faiss
except ImportError:  # faiss is optional: its column is then left out
    faiss = None

ROOT = pathlib.Path(__file__).resolve().parents[1]
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")
F32, F64 = np.dtype(np.float32), np.dtype(np.float64)
# NumPy's N x K distance matrix and scikit-learn Elkan's N x K lower bounds are skipped beyond this.
MATRIX_LIMIT_BYTES = 2 * 10**9
# Idle worker threads spin after a parallel call before they sleep (OpenBLAS: 2^28 TSC cycles, 0.1 s at
# 2.6 GHz; OpenMP: shorter); on 2 cores the next system would then lose a core (measured: scikit-learn on
# notebook-2d 5 ms alone, over 100 ms right after a NumPy matrix product). Every timed run waits this long first.
PAUSE_SECONDS = 0.12
# Runs shorter than this get untimed runs of the same system just before the timed one, for at least
# WARM_UP_SECONDS (see race). One untimed run was not enough for runs under a millisecond: Centrix on
# mojo-table k=5 took 650 us per fit after one, 477 us after 5 ms of them, 478 us after 100 ms.
WARM_UP_BELOW_SECONDS = 0.25
WARM_UP_SECONDS = 0.02
# A timed run shorter than this is repeated until the runs together last at least BATCH_SECONDS, and the
# repetition's time per iteration is their total over their iterations (as timeit does): a single run of
# half a millisecond on 2 shared cores moved by a third between repetitions (Centrix on mojo-table k=5:
# medians of 5 single runs of 44, 65 and 47 us per iteration in three runs of the script).
BATCH_SECONDS = 0.05
# Centrix algorithms tried besides "auto"; those this build does not know (ValueError) are skipped.
CENTRIX_ALGORITHMS = ("lloyd", "elkan", "hamerly", "yinyang")


# --- data ------------------------------------------------------------------------------------------


def blobs(n, d, centers, cluster_std=1.0):
    return make_blobs(n_samples=n, n_features=d, centers=centers, cluster_std=cluster_std, random_state=0)[0]


@functools.lru_cache(maxsize=1)
def keops_large(n):
    """N(0,1) rows, float32 (the Euclidean and cosine workloads share them)."""
    return np.random.default_rng(3).standard_normal((n, 100), dtype=np.float32)


@functools.lru_cache(maxsize=1)
def keops_2d():
    return (0.7 * np.random.default_rng(1).standard_normal((10000, 2)) + 0.3).astype(np.float32)


def fashion_mnist():
    """The 70000 Fashion-MNIST images (train then test) as float32 rows in [0, 1]."""
    parts = []
    for name in ("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"):
        with gzip.open(FASHION / name) as f:
            parts.append(np.frombuffer(f.read(), dtype=np.uint8, offset=16))  # 16-byte IDX header
    return np.concatenate(parts).reshape(-1, 784).astype(np.float32) / 255.0


@dataclass
class Workload:
    name: str
    make: object  # () -> 2-D array (converted to each system's dtype)
    k: int
    iters: int
    metric: str = "euclidean"
    reps: int = 5
    threads: bool = False  # also time Centrix with n_threads=1
    memory: bool = False  # measure Centrix's peak memory in a fresh process
    excluded: dict = field(default_factory=dict)  # system name -> why this workload leaves it out
    plusplus_start: bool = False  # start from k-means++ centers instead of the first k rows


def workloads(quick, skip_fashion):
    """The PRODUCT.md workloads; --quick uses fewer repetitions and a 50k-row keops-large."""
    small_reps, big_reps = (3, 2) if quick else (5, 3)
    # Fits of a few milliseconds: a repetition costs ~2 s of pauses and warm-ups for all the systems, and
    # the median of 5 still moved by a third between runs of the script on 2 shared cores (run L:
    # Centrix's auto and lloyd, the same code path on mojo-table k=5, 50 and 39 us per iteration).
    # --quick: 2, and keops-large at 50k rows, so that it stays under two minutes here (3 repetitions and
    # 100k rows took 161 s).
    tiny_reps = 2 if quick else 11
    large_n = 50_000 if quick else 1_000_000
    out = [
        Workload("notebook-2d 1500x2, k=6", notebook_2d, 6, 10, reps=tiny_reps),
        Workload("mojo-table 3000x100, k=5", lambda: blobs(3000, 100, 5, 5.0), 5, 10, reps=tiny_reps),
        Workload("mojo-table 3000x200, k=10", lambda: blobs(3000, 200, 10, 5.0), 10, 10, reps=tiny_reps),
        Workload("workshop 5000x26, k=26", lambda: np.random.default_rng(0).random((5000, 26)), 26, 50,
                 reps=tiny_reps),
        Workload("keops-2d 10000x2, K=50", keops_2d, 50, 10, reps=tiny_reps),
        Workload("keops-2d 10000x2, K=50, cosine", keops_2d, 50, 10, "cosine", reps=tiny_reps),
        Workload("mid 100000x64, k=256", lambda: blobs(100_000, 64, 256), 256, 5 if quick else 10,
                 reps=big_reps if quick else small_reps, threads=True, memory=True),
    ]
    if not quick:
        # The same data from a k-means++ start, one center per blob or close: the case the accelerated
        # algorithms are for (PRODUCT.md: "auto" must beat Lloyd several times over on well-separated data).
        out.append(Workload("mid 100000x64, k=256, k-means++ start", lambda: blobs(100_000, 64, 256), 256, 10,
                            reps=small_reps, plusplus_start=True))
    # keops-large: 1 to 3 s per Lloyd iteration per system here, hence 5 iterations and 3 repetitions.
    # At full size scikit-learn's Elkan is skipped for memory anyway (N x K bounds); at 50k rows it would
    # run, at ~1.5 s per iteration, which --quick cannot afford.
    slow = {name: "left out in --quick (about 1.5 s per iteration)"
            for name in ("sklearn f32 elkan", "sklearn f64 elkan", "Centrix elkan")} if quick else {}
    for metric in ("euclidean", "cosine"):
        suffix = "" if metric == "euclidean" else ", cosine"
        rows = "1M" if large_n == 1_000_000 else f"{large_n // 1000}k"
        out.append(Workload(f"keops-large {rows}x100, K=1000{suffix}", lambda: keops_large(large_n),
                            1000, 2 if quick else 5, metric, reps=big_reps, threads=True, memory=True, excluded=slow))
    if not (quick or skip_fashion) and FASHION.exists():
        out.append(Workload("fashion-mnist 70000x784, k=10", fashion_mnist, 10, 10, reps=small_reps, memory=True))
    return out


class Problem:
    """A workload's data, k, start and iterations; each dtype (and unit-row) variant made once, on demand."""

    def __init__(self, X, k, iters, metric="euclidean", plusplus_start=False):
        self.raw, self.k, self.iters, self.metric = X, k, iters, metric
        self.n, self.d = X.shape
        self._variants = {}
        # scikit-learn's k-means++ (a peer's, so the start favours no one), in float64, made once.
        self._plusplus = kmeans_plusplus(np.asarray(X, np.float64), k, random_state=0)[0] if plusplus_start else None

    @property
    def cosine(self):
        return self.metric == "cosine"

    def data(self, dtype, unit=False):
        """The rows in ``dtype``; ``unit=True`` scales them to length 1 (what peers get for cosine)."""
        key = (np.dtype(dtype), unit)
        if key not in self._variants:
            A = np.ascontiguousarray(self.raw, dtype=dtype)
            if unit:
                norms = np.linalg.norm(A, axis=1, keepdims=True)
                A = A / np.where(norms > 0, norms, 1)
            self._variants[key] = A
        return self._variants[key]

    def forget(self):
        """Drops the converted copies (up to GBs for keops-large); the report needs only the shape."""
        self._variants.clear()

    def data_mb(self):
        """Size of the data as float32, as the workloads are given to Centrix."""
        return self.n * self.d * 4 / 1e6

    def start(self, dtype, unit=False):
        """The initial centers: the first k rows, or the k-means++ ones (a copy, as some systems update them
        in place)."""
        if self._plusplus is None:
            return self.data(dtype, unit)[: self.k].copy()
        C = self._plusplus.astype(dtype)
        return C / np.linalg.norm(C, axis=1, keepdims=True) if unit else C

    def flops(self):
        """Floating-point operations of one iteration's distances: 2 N D K."""
        return 2.0 * self.n * self.d * self.k


# --- the systems -----------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float  # wall time of the whole fit
    n_iter: int  # iterations it ran
    centers: np.ndarray = None  # final centers (None for the matrix-product reference)
    skipped: float = None  # share of the N*K distances Centrix did not compute, when it reports them


@dataclass
class System:
    name: str
    kind: str  # "centrix", "peer" or "reference"
    run: object  # Problem -> Run
    skip: object = None  # Problem -> reason to skip (str) or None


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def centrix_fit(P, X, init, algorithm, n_threads=None):
    return centrix.kmeans(X, P.k, init=init, n_init=1, max_iter=P.iters, early_stop=False,
                          refine="none", algorithm=algorithm, metric=P.metric, n_threads=n_threads)


def centrix_system(name, dtype, algorithm, n_threads=None):
    def run(P):
        X, init = P.data(dtype), P.start(dtype)  # raw rows also for cosine: Centrix normalises them itself
        seconds, res = timed(lambda: centrix_fit(P, X, init, algorithm, n_threads))
        evals = res.history.get("distance_evals")
        skipped = None if evals is None or len(evals) == 0 else 1.0 - float(np.sum(evals)) / (len(evals) * P.n * P.k)
        return Run(seconds, res.n_iter, res.centers, skipped)

    @functools.cache
    def unknown(metric):
        """Why this build cannot run ``algorithm`` for ``metric`` (its ValueError), or None."""
        try:
            centrix.kmeans(np.random.default_rng(0).random((64, 3)).astype(dtype), 3, n_init=1, max_iter=2,
                           refine="none", algorithm=algorithm, metric=metric)
        except ValueError as error:
            return f"not available in this build ({error})"
        return None

    def skip(P):
        # Centrix refuses Elkan's N x K float bounds above 2 GiB (scikit-learn's need the same room).
        if algorithm == "elkan" and P.n * P.k * 4 > 2 * 2**30:
            return f"its N x K lower bounds would take {P.n * P.k * 4 / 1e9:.0f} GB"
        return unknown(P.metric)

    return System(name, "centrix", run, skip)


def sklearn_system(dtype, algorithm):
    def run(P):
        X = P.data(dtype, unit=P.cosine)  # cosine: Euclidean k-means on unit rows (not spherical k-means)
        km = SklearnKMeans(P.k, init=P.start(dtype, unit=P.cosine), n_init=1, max_iter=P.iters, tol=0,
                           algorithm=algorithm)
        seconds, _ = timed(lambda: km.fit(X))
        return Run(seconds, km.n_iter_, km.cluster_centers_)

    def skip(P):
        if algorithm == "elkan" and P.n * P.k * dtype.itemsize > MATRIX_LIMIT_BYTES:
            return f"its N x K lower bounds would take {P.n * P.k * dtype.itemsize / 1e9:.0f} GB"
        return None

    bits = dtype.itemsize * 8
    return System(f"sklearn f{bits} {algorithm}", "peer", run, skip)


def faiss_system():
    def run(P):
        X = P.data(F32, unit=P.cosine)  # spherical k-means on unit rows = Centrix's cosine k-means
        km = faiss.Kmeans(P.d, P.k, niter=P.iters, nredo=1, max_points_per_centroid=10**9, seed=1,
                          spherical=P.cosine, verbose=False)
        C0 = P.start(F32, unit=P.cosine)
        seconds, _ = timed(lambda: km.train(X, init_centroids=C0))
        return Run(seconds, P.iters, km.centroids)

    return System("faiss f32", "peer", run)


def numpy_kmeans(X, C, iters, cosine):
    """The k-means people write by hand: the whole N x K matrix, arg-min, then sums per cluster."""
    x2 = None if cosine else np.einsum("ij,ij->i", X, X)
    for _ in range(iters):
        if cosine:  # unit rows: the nearest direction has the largest dot product
            labels = np.argmax(X @ C.T, axis=1)
        else:  # ||x||^2 - 2 x.c + ||c||^2
            D = X @ C.T
            D *= -2
            D += x2[:, None]
            D += np.einsum("ij,ij->i", C, C)
            labels = np.argmin(D, axis=1)
        sums = np.zeros_like(C)
        np.add.at(sums, labels, X)
        counts = np.bincount(labels, minlength=len(C))
        full = counts > 0  # an empty cluster keeps its center
        if cosine:
            C[full] = sums[full] / np.linalg.norm(sums[full], axis=1, keepdims=True)
        else:
            C[full] = sums[full] / counts[full, None].astype(C.dtype)
    return C


def numpy_system(dtype):
    def run(P):
        X = P.data(dtype, unit=P.cosine)
        C0 = P.start(dtype, unit=P.cosine)
        seconds, C = timed(lambda: numpy_kmeans(X, C0, P.iters, P.cosine))
        return Run(seconds, P.iters, C)

    def skip(P):
        size = P.n * P.k * dtype.itemsize
        return f"its N x K matrix would take {size / 1e9:.0f} GB" if size > MATRIX_LIMIT_BYTES else None

    return System(f"NumPy f{dtype.itemsize * 8}", "peer", run, skip)


def matmul_system():
    """The reference: one float32 product X (N x D) @ C0.T (D x K), in row blocks of at most 256 MB of output."""
    def run(P):
        X, CT = P.data(F32), np.ascontiguousarray(P.start(F32).T)
        rows = max(1, min(P.n, 2**28 // (4 * P.k)))
        out = np.empty((rows, P.k), dtype=np.float32)

        def product():
            for i in range(0, P.n, rows):
                j = min(P.n, i + rows)
                np.matmul(X[i:j], CT, out=out[: j - i])

        seconds, _ = timed(product)
        return Run(seconds, 1)

    return System("matmul f32", "reference", run)


def workload_systems(threads):
    """Centrix (auto, then each algorithm), its 1-thread run where asked, the peers, the matrix product."""
    out = [centrix_system("Centrix", F32, "auto")]
    out += [centrix_system(f"Centrix {a}", F32, a) for a in CENTRIX_ALGORITHMS]
    if threads:
        out.append(centrix_system("Centrix 1 thread", F32, "auto", n_threads=1))
    out += [sklearn_system(dt, a) for dt in (F32, F64) for a in ("lloyd", "elkan")]
    if faiss is not None:
        out.append(faiss_system())
    out += [numpy_system(F32), matmul_system()]
    return out


def sweep_systems():
    """The Mojo port's comparison: float64 everywhere except faiss, which only has float32."""
    out = [centrix_system("Centrix", F64, "auto"), sklearn_system(F64, "lloyd"), sklearn_system(F64, "elkan")]
    if faiss is not None:
        out.append(faiss_system())
    return out + [numpy_system(F64)]


# --- measuring -------------------------------------------------------------------------------------


def objective(P, centers):
    """The final inertia, computed the same way for every system from its final centers.

    Euclidean: sum over all rows of the squared distance to the nearest center; cosine: sum of
    1 - cos to the nearest direction. Float64, in row blocks (never the N x K matrix).
    """
    C = np.asarray(centers, dtype=np.float64)
    if P.cosine:
        C = C / np.linalg.norm(C, axis=1, keepdims=True)
    c2 = np.einsum("ij,ij->i", C, C)
    total = 0.0
    for i in range(0, P.n, 8192):
        X = np.asarray(P.raw[i: i + 8192], dtype=np.float64)
        if P.cosine:
            X = X / np.linalg.norm(X, axis=1, keepdims=True)
            total += float(np.sum(1.0 - (X @ C.T).max(axis=1)))
        else:
            D = np.einsum("ij,ij->i", X, X)[:, None] - 2.0 * (X @ C.T) + c2
            total += float(np.sum(np.maximum(D.min(axis=1), 0.0)))
    return total


@dataclass
class Result:
    """One system on one problem: per-iteration times of each repetition and the last run."""

    system: System
    per_iter: list = field(default_factory=list)
    last: Run = None
    min_iter: int = None  # the fewest iterations any repetition ran (scikit-learn may stop early)
    inertia: float = None

    @property
    def seconds(self):
        return statistics.median(self.per_iter)


def race(P, systems, reps, label, excluded=None):
    """Round robin over the systems, ``reps`` times; returns name -> Result and name -> reason skipped.

    ``excluded``: name -> reason, systems this workload leaves out.
    """
    start = time.perf_counter()
    skipped = {s.name: reason for s in systems if s.skip and (reason := s.skip(P))}
    skipped.update({name: reason for name, reason in (excluded or {}).items() if any(s.name == name for s in systems)})
    active = [s for s in systems if s.name not in skipped]
    results = {s.name: Result(s) for s in active}
    for _ in range(reps):
        for s in active:
            time.sleep(PAUSE_SECONDS)
            # After the pause the CPU and this system's threads are cold (idle vCPU, sleeping pools):
            # a short run first pays that again, untimed, for WARM_UP_SECONDS, so the timed run measures
            # the steady state every system reaches when called in a loop (notebook-2d: 0.33 ms warm,
            # 0.78 ms cold).
            if results[s.name].per_iter and results[s.name].last.seconds < WARM_UP_BELOW_SECONDS:
                warm_start = time.perf_counter()
                s.run(P)
                while time.perf_counter() - warm_start < WARM_UP_SECONDS:
                    s.run(P)
            run = s.run(P)
            seconds, iterations = run.seconds, run.n_iter
            while seconds < BATCH_SECONDS and run.seconds < WARM_UP_BELOW_SECONDS:
                run = s.run(P)
                seconds, iterations = seconds + run.seconds, iterations + run.n_iter
            r = results[s.name]
            r.per_iter.append(seconds / iterations)
            r.last = run
            r.min_iter = run.n_iter if r.min_iter is None else min(r.min_iter, run.n_iter)
    for r in results.values():
        if r.last.centers is not None:
            r.inertia = objective(P, r.last.centers)
    line = "  ".join(f"{name} {fmt_time(r.seconds)}" for name, r in results.items())
    print(f"  {label} ({time.perf_counter() - start:.0f} s): {line}", flush=True)
    return results, skipped


def warm_up(systems):
    """One untimed run of every system, so thread pools and lazy imports are not charged to the first workload."""
    P = Problem(np.random.default_rng(0).random((2000, 8)).astype(np.float32), 8, 2)
    for s in systems:
        if not (s.skip and s.skip(P)):
            s.run(P)


def status_mb(field_name):
    """A memory figure of this process from /proc/self/status (VmRSS: now, VmHWM: peak), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"{field_name} not in /proc/self/status")


def centrix_peak_memory(path, k, iters, metric):
    """In a fresh process: growth of the peak resident set (MB) over one Centrix fit of the data at ``path``.

    Runs a tiny fit first (thread pool, code pages) and loads the data; then resets the kernel's
    high-water mark (/proc/self/clear_refs), so that transient peaks of the imports cannot hide the
    fit's, fits, and returns the peak (VmHWM) minus the resident set before the fit. Not
    getrusage's ru_maxrss: it also keeps the peak recorded when any thread exited, which the reset
    does not clear (it gave anything from 5 to 450 MB for the same fit).
    """
    rng = np.random.default_rng(0)
    centrix.kmeans(rng.random((256, 4)).astype(np.float32), 4, n_init=1, max_iter=2, refine="none")
    X = np.load(path)
    init = X[:k].copy()
    before = status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    centrix_fit(Problem(X, k, iters, metric), X, init, "auto")
    return status_mb("VmHWM") - before


def peak_memory(P):
    """Centrix's peak memory over the data for this problem, measured in a spawned process (MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "X.npy")
        np.save(path, P.data(F32))
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            return pool.apply(centrix_peak_memory, (path, P.k, P.iters, P.metric))


# --- the report ------------------------------------------------------------------------------------


def fmt_time(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.2f} s"


def fastest_peer(results):
    return min((r for r in results.values() if r.system.kind == "peer"), key=lambda r: r.seconds)


def run_workloads(args):
    rows = []  # (workload, problem, results, skipped, memory MB or None)
    systems = workload_systems(threads=True)
    warm_up(systems)
    for w in workloads(args.quick, args.skip_fashion):
        if args.match and args.match not in w.name:
            continue
        X = w.make()
        P = Problem(X, w.k, w.iters, w.metric, w.plusplus_start)
        chosen = [s for s in systems if s.name != "Centrix 1 thread" or w.threads]
        results, skipped = race(P, chosen, args.reps or w.reps, w.name, w.excluded)
        memory = peak_memory(P) if w.memory else None
        P.forget()
        rows.append((w, P, results, skipped, memory))
    return rows


def run_sweeps(args):
    """The Mojo port's sweeps: axis -> (the fixed sizes, [(value, problem, results, skipped)])."""
    if args.quick:
        axes = {"k": [5, 40, 170], "n": [2000, 8000], "d": [200, 1400]}  # the large ends cost most
    else:
        axes = {"k": [5, 10, 20, 40, 80, 120, 170], "n": [2000, 5000, 8000, 12000, 16000, 22000],
                "d": [200, 800, 1400, 2000, 2600, 3200, 3800]}
    fixed = {"k": dict(n=2000, d=200), "n": dict(k=80, d=200), "d": dict(n=4000, k=5)}
    systems = sweep_systems()
    warm_up(systems)
    reps = args.reps or (2 if args.quick else 5)
    out = {}
    for axis, values in axes.items():
        points = []
        for value in values:
            shape = dict(fixed[axis], **{axis: value})
            X = blobs(shape["n"], shape["d"], shape["k"])  # float64
            P = Problem(X, shape["k"], 10)
            label = f"sweep {axis}={value} ({shape['n']}x{shape['d']}, k={shape['k']})"
            results, skipped = race(P, systems, reps, label)
            points.append((value, P, results, skipped))
        out[axis] = (fixed[axis], points)
    return out


def workload_tables(rows):
    # Columns in the systems' order; those never run (algorithms this build lacks) are left out.
    names = [s.name for s in workload_systems(threads=True) if any(s.name in res for _, _, res, _, _ in rows)]
    inertia_names = [n for n in names if n != "matmul f32"]

    times = ["| workload | iterations | " + " | ".join(names) + " |", "|---|---" + "|---" * len(names) + "|"]
    inertia = ["| workload | " + " | ".join(inertia_names) + " |", "|---" + "|---" * len(inertia_names) + "|"]
    summary = ["| workload | data (MB) | Centrix | fastest peer | speedup | Centrix GFLOP/s | matmul f32 GFLOP/s "
               "| Centrix / matmul | 1 thread / all threads | Centrix peak memory (MB) | distances skipped |",
               "|---" * 11 + "|"]
    for w, P, results, skipped, memory in rows:
        cx = results["Centrix"]
        cells, icells = [], []
        for n in names:
            r = results.get(n)
            early = f" ({r.min_iter} it.)" if r and r.min_iter < P.iters and r.system.kind == "peer" else ""
            cells.append(fmt_time(r.seconds) + early if r else "–")
        for n in inertia_names:
            r = results.get(n)
            if r is None:
                icells.append("–")
            else:
                icells.append(f"{r.inertia:.7g}" if n == "Centrix" else f"{r.inertia / cx.inertia:.6f}")
        times.append(f"| {w.name} | {P.iters} | " + " | ".join(cells) + " |")
        inertia.append(f"| {w.name} | " + " | ".join(icells) + " |")

        peer = fastest_peer(results)
        mm = results["matmul f32"].seconds
        gflops = P.flops() / cx.seconds / 1e9
        one = results.get("Centrix 1 thread")
        skip_cells = [f"{n.removeprefix('Centrix ') if n != 'Centrix' else 'auto'} {100 * r.last.skipped:.0f}%"
                      for n, r in results.items() if r.system.kind == "centrix" and r.last.skipped is not None]
        cells = [w.name, f"{P.data_mb():.3g}", fmt_time(cx.seconds),
                 f"{peer.system.name} {fmt_time(peer.seconds)}", f"{peer.seconds / cx.seconds:.2f}x", f"{gflops:.3g}",
                 f"{P.flops() / mm / 1e9:.3g}", f"{mm / cx.seconds:.2f}",
                 f"{one.seconds / cx.seconds:.2f}x" if one else "–",
                 f"{memory:.1f}" if memory is not None else "–", ", ".join(skip_cells) or "–"]
        summary.append("| " + " | ".join(cells) + " |")
    return "\n".join(times), "\n".join(inertia), "\n".join(summary)


def notes(rows, sweeps):
    """Why cells are empty, and which peers stopped early, once each."""
    seen = {}
    for w, P, results, skipped, _ in rows:
        for name, reason in skipped.items():
            seen.setdefault(f"{name}: {reason}", None)
        for name, r in results.items():
            if r.system.kind == "centrix" and r.min_iter != P.iters:  # early_stop=False should rule this out
                seen.setdefault(f"{name} ran {r.min_iter} iterations, not {P.iters}, on {w.name}", None)
    for _, points in sweeps.values():
        for _, _, _, skipped in points:
            for name, reason in skipped.items():
                seen.setdefault(f"{name}: {reason}", None)
    return "\n".join(f"- {line}" for line in seen) or "- none"


def sweep_tables(sweeps):
    out = []
    for axis, (fixed, points) in sweeps.items():
        peers = [n for n, r in points[0][2].items() if r.system.kind == "peer"]
        head = ", ".join(f"{a}={v}" for a, v in fixed.items())
        out.append(f"### {axis} swept ({head})\n")
        out.append(f"| {axis} | Centrix | " + " | ".join(f"{p} (speedup)" for p in peers) + " |")
        out.append("|---|---" + "|---" * len(peers) + "|")
        for value, _, results, _ in points:
            cx = results["Centrix"].seconds
            cells = [f"{fmt_time(results[p].seconds)} ({results[p].seconds / cx:.1f}x)" if p in results else "–"
                     for p in peers]
            out.append(f"| {value} | {fmt_time(cx)} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def plot_sweeps(sweeps, stem):
    """One figure, a panel per swept axis: speedup of Centrix over each peer (log scale)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    def label(value, _):
        """'2x', not matplotlib's '2 x 10^0'; only 1, 2 and 5 times a power of ten, so wide ranges stay legible."""
        mantissa = value / 10 ** np.floor(np.log10(value))
        return f"{value:g}x" if any(np.isclose(mantissa, m) for m in (1, 2, 5)) else ""

    speedup = FuncFormatter(label)

    fig, axes = plt.subplots(1, len(sweeps), figsize=(5 * len(sweeps), 4.2), constrained_layout=True)
    for ax, (axis, (fixed, points)) in zip(np.atleast_1d(axes), sweeps.items()):
        peers = [n for n, r in points[0][2].items() if r.system.kind == "peer"]
        for p in peers:
            xs = [v for v, _, res, _ in points if p in res]
            ys = [res[p].seconds / res["Centrix"].seconds for v, _, res, _ in points if p in res]
            ax.plot(xs, ys, marker="o", label=p)
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(speedup)
        ax.yaxis.set_minor_formatter(speedup)
        ax.set_xlabel(axis)
        ax.set_ylabel("peer time / Centrix time")
        ax.set_title(f"{axis} swept (" + ", ".join(f"{a}={v}" for a, v in fixed.items()) + ")")
        ax.grid(True, which="both", alpha=0.3)
    np.atleast_1d(axes)[0].legend()
    fig.suptitle("Speedup of Centrix over each peer (float64, 10 iterations, make_blobs)")
    for ext in ("png", "svg"):
        fig.savefig(f"{stem}.{ext}", dpi=110)
    plt.close(fig)


def write_csv(path, rows, sweeps):
    """Every workload and sweep point, every system (incl. the skipped, with the reason)."""
    head = ["section", "problem", "swept_value", "n", "d", "k", "metric", "iterations", "system", "reps",
            "seconds_per_iter_median", "seconds_per_iter_min", "iterations_run", "gflops", "speedup_of_centrix",
            "inertia", "distances_skipped", "centrix_peak_memory_mb", "data_mb", "skipped_because"]
    lines = []

    def add(section, problem, value, P, results, skipped, memory=None):
        cx = results["Centrix"].seconds
        for name, r in results.items():
            lines.append([section, problem, value, P.n, P.d, P.k, P.metric, P.iters, name, len(r.per_iter),
                          f"{r.seconds:.6g}", f"{min(r.per_iter):.6g}", r.min_iter,
                          f"{P.flops() / r.seconds / 1e9:.4g}", f"{r.seconds / cx:.4g}",
                          "" if r.inertia is None else f"{r.inertia:.10g}",
                          "" if r.last.skipped is None else f"{r.last.skipped:.4f}",
                          f"{memory:.1f}" if memory is not None and name == "Centrix" else "",
                          f"{P.data_mb():.1f}" if name == "Centrix" and section == "workload" else "", ""])
        for name, reason in skipped.items():
            lines.append([section, problem, value, P.n, P.d, P.k, P.metric, P.iters, name] + [""] * 10 + [reason])

    for w, P, results, skipped, memory in rows:
        add("workload", w.name, "", P, results, skipped, memory)
    for axis, (_, points) in sweeps.items():
        for value, P, results, skipped in points:
            add(f"sweep {axis}", f"make_blobs {P.n}x{P.d}, k={P.k}", value, P, results, skipped)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(head)
        writer.writerows(lines)


QUICK_NOTE = """
Quick mode (a smoke run): fewer repetitions and sweep points, keops-large cut to 50k rows and
2 iterations (no Elkan), mid to 5 iterations, no Fashion-MNIST."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions and sweep points, keops-large with 50k rows, no Fashion-MNIST")
    parser.add_argument("--reps", type=int, help="repetitions of every measurement (default: 11 for the "
                        "few-millisecond workloads, 5, 3 for the largest; --quick: 2)")
    parser.add_argument("--skip-fashion", action="store_true")
    parser.add_argument("--match", help="run only the workloads whose name contains this (while developing)")
    parser.add_argument("--only", choices=["workloads", "sweeps"], help="run one part (the report then has only it)")
    parser.add_argument("--out-dir", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "_quick" if args.quick else ""
    started = time.perf_counter()

    rows, sweeps = [], {}
    if args.only != "sweeps":
        print("Workloads (median seconds per iteration)", flush=True)
        rows = run_workloads(args)
    if args.only != "workloads":
        print("Sweeps", flush=True)
        sweeps = run_sweeps(args)
        plot_sweeps(sweeps, out_dir / f"speed_sweeps{suffix}")
    write_csv(out_dir / f"speed{suffix}.csv", rows, sweeps)

    times, inertia, summary = workload_tables(rows) if rows else ("(not run)",) * 3
    versions = (f"centrix {centrix.__version__}, scikit-learn {sklearn.__version__}, NumPy {np.__version__}"
                + (f", faiss {faiss.__version__}" if faiss is not None else " (faiss not installed)"))
    command = "bash bench/speed.sh" + "".join(
        f" {a}" for a in ("--quick" if args.quick else "", f"--reps {args.reps}" if args.reps else "",
                          "--skip-fashion" if args.skip_fashion else "", f"--only {args.only}" if args.only else "")
        if a)
    report = f"""# Speed benchmark

`{command}`, {time.strftime("%Y-%m-%d")}, {cpu_name()}, {os.cpu_count()} logical CPUs; {versions};
{time.perf_counter() - started:.0f} s in all. How it works, and what each column means: docs/speed.md.

Every system starts from the same centers (the first k rows; scikit-learn's `kmeans_plusplus` centers,
random_state=0, where the workload says "k-means++ start"), runs a fixed number of iterations
with no early stopping, in one process, interleaved repetition by repetition; the median time is
reported. Float32 unless the name says f64.{QUICK_NOTE if args.quick else ""}

## Seconds per iteration

A peer that stopped early (scikit-learn stops when no label changes) shows its iterations in
brackets; its time is per iteration it ran. "–": not run (see the notes).

{times}

## Centrix against the fastest peer

Speedup = fastest peer's time / Centrix's time. GFLOP/s = 2·N·D·K per iteration / time. "Centrix /
matmul" = time of one float32 matrix product N×D @ D×K / Centrix's time per iteration (1 means
Centrix takes as long as the bare product). Peak memory: growth of the peak resident set over one
Centrix fit in a fresh process, after the data were loaded (compare with the data's size).

{summary}

## Final inertia from each system's centers

Recomputed by this script from each system's final centers over all rows, in float64: Centrix's
value, and every other system's as a ratio to it (below 1: lower than Centrix). Cosine workloads:
Σ(1 − cos) to the nearest center; scikit-learn there runs Euclidean k-means on unit rows, which is
not spherical k-means.

{inertia}

## The Mojo port's sweeps (float64, 10 iterations, make_blobs)

Each cell: seconds per iteration (peer time / Centrix time). faiss gets a float32 copy (made
before timing). Figure: `speed_sweeps{suffix}.png` / `.svg`.

{sweep_tables(sweeps) if sweeps else "(not run)"}

## Notes

{notes(rows, sweeps)}
"""
    (out_dir / f"speed{suffix}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
