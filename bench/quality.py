"""Quality: how often each system finds the true clusters, and at what cost.

Part 1, the UEF benchmark (../shared/data/franti): for every set and each of
10 seeds, Centrix with default options (k-means++, then swap refinement),
Centrix plain Lloyd (refine="none"), scikit-learn KMeans with n_init=1 and
n_init=10, and faiss.Kmeans (its defaults, one run). For each: the mean
Centroid Index against the ground truth, the share of runs with CI 0, and the
median time of one fit (data already in memory as float64; faiss gets
float32, which it requires).

Part 2, data without clear clusters (uniform 5000 x 26, the "workshop"
workload, and Fashion-MNIST 70000 x 784 from Debian's dataset-fashion-mnist):
the swap refinement must not do worse than spending the same time on plain
k-means++ restarts. For each seed: Centrix defaults give inertia I and take
time t; plain k-means++ runs (refine="none", new seeds) are repeated until
they have used t, and the lowest inertia J is kept. Reported: I / J.

Writes bench/results/quality.md (and prints it).

    bash bench/quality.sh            # sets up .venv (incl. faiss-cpu) and runs this
    .venv/bin/python bench/quality.py [--quick] [--seeds N] [--skip-fashion]
"""

import argparse
import gzip
import os
import pathlib
import statistics
import time

import numpy as np
from sklearn.cluster import KMeans as SklearnKMeans

import centrix
from centrix.metrics import centroid_index
from machine import cpu_name

try:
    import faiss
except ImportError:  # faiss is optional: its column is then left out
    faiss = None

ROOT = pathlib.Path(__file__).resolve().parents[1]
FRANTI = ROOT.parent / "shared" / "data" / "franti"
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")

UEF_SETS = [
    ("S1", "s1.txt", "s1-cb.txt"),
    ("S2", "s2.txt", "s2-cb.txt"),
    ("S3", "s3.txt", "s3-cb.txt"),
    ("S4", "s4.txt", "s4-cb.txt"),
    ("A1", "a1.txt", "a1-ga-cb.txt"),
    ("A2", "a2.txt", "a2-ga-cb.txt"),
    ("A3", "a3.txt", "a3-ga-cb.txt"),
    ("Unbalance", "unbalance.txt", "unbalance-gt.txt"),
    ("DIM032", "dim032.txt", "dim032_gt.txt"),
    ("Birch1", "birch1.txt", "birch1-centroids-from-labels.txt"),
    ("Birch2", "birch2.txt", "birch2-centroids-from-labels.txt"),
]


def timed(fn):
    start = time.perf_counter()
    centers = fn()
    return time.perf_counter() - start, centers


def systems():
    """name -> fit(X, k, seed) returning the centers."""
    out = {
        "Centrix defaults": lambda X, k, s: centrix.KMeans(k, random_state=s).fit(X).cluster_centers_,
        "Centrix plain Lloyd": lambda X, k, s: centrix.KMeans(k, random_state=s, refine="none").fit(X).cluster_centers_,
        "scikit-learn n_init=1": lambda X, k, s: SklearnKMeans(k, n_init=1, random_state=s).fit(X).cluster_centers_,
        "scikit-learn n_init=10": lambda X, k, s: SklearnKMeans(k, n_init=10, random_state=s).fit(X).cluster_centers_,
    }
    if faiss is not None:
        def faiss_fit(X, k, s):
            X32 = np.ascontiguousarray(X, dtype=np.float32)
            km = faiss.Kmeans(X32.shape[1], k, seed=s, verbose=False)
            km.train(X32)
            return km.centroids
        out["faiss"] = faiss_fit
    return out


def uef_table(seeds):
    names = list(systems())
    fits = systems()
    rows, totals = [], {name: [0, 0, 0] for name in names}  # CI sum, CI-0 count, runs
    time_ratio = []
    for label, points, truth in UEF_SETS:
        X = np.loadtxt(FRANTI / points)
        G = np.loadtxt(FRANTI / truth)
        k = len(G)
        cells, times = [], {}
        for name in names:
            cis, seconds = [], []
            for seed in range(seeds):
                t, centers = timed(lambda: fits[name](X, k, seed))
                cis.append(centroid_index(np.asarray(centers, dtype=np.float64), G))
                seconds.append(t)
            totals[name][0] += sum(cis)
            totals[name][1] += sum(c == 0 for c in cis)
            totals[name][2] += len(cis)
            times[name] = statistics.median(seconds)
            cells.append(f"{np.mean(cis):.2f} / {100 * np.mean([c == 0 for c in cis]):.0f}% / {fmt_time(times[name])}")
            print(f"  {label:9s} {name:24s} CI {cis} median {fmt_time(times[name])}", flush=True)
        ratio = times["scikit-learn n_init=10"] / times["Centrix defaults"]
        time_ratio.append(ratio)
        rows.append(f"| {label} ({len(X)} x {X.shape[1]}, k={k}) | " + " | ".join(cells) + f" | {ratio:.1f}x |")
    header = "| set | " + " | ".join(names) + " | sklearn n_init=10 time / Centrix time |"
    sep = "|---" * (len(names) + 2) + "|"
    overall = "| all sets | " + " | ".join(
        f"{t[0] / t[2]:.2f} / {100 * t[1] / t[2]:.0f}%" for t in totals.values()) + " | |"
    return "\n".join([header, sep, *rows, overall]), totals, time_ratio


def fmt_time(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def load_fashion():
    with gzip.open(FASHION / "train-images-idx3-ubyte.gz") as f:
        train = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with gzip.open(FASHION / "t10k-images-idx3-ubyte.gz") as f:
        test = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return (np.concatenate([train, test]).reshape(-1, 784).astype(np.float32) / 255.0)


def same_budget(X, k, seeds):
    """Per seed: (inertia with defaults, best plain inertia in the same time, defaults' time, plain runs)."""
    out = []
    for seed in range(seeds):
        t_default, model = timed(lambda: centrix.KMeans(k, random_state=seed).fit(X))
        best, spent, runs = np.inf, 0.0, 0
        while spent < t_default or runs == 0:
            t, plain = timed(lambda: centrix.KMeans(k, random_state=1000 * (seed + 1) + runs, refine="none").fit(X))
            spent += t
            runs += 1
            best = min(best, plain.inertia_)
        out.append((model.inertia_, best, t_default, runs))
        print(f"  seed {seed}: defaults {model.inertia_:.9g} in {fmt_time(t_default)} "
              f"({model.n_swaps_accepted_}/{model.n_swaps_tried_} swaps kept); "
              f"best of {runs} plain runs {best:.9g} (ratio {model.inertia_ / best:.9f})", flush=True)
    return out


def budget_table(seeds, skip_fashion):
    workloads = [("workshop: uniform 5000 x 26, k=26", np.random.default_rng(0).random((5000, 26)), 26)]
    if not skip_fashion and FASHION.exists():
        workloads.append(("Fashion-MNIST 70000 x 784 (float32), k=10", load_fashion(), 10))
    lines = ["| workload | seeds | defaults inertia / best plain inertia in the same time (mean; worst) "
             "| seeds where defaults < plain / equal within 1e-6 / higher | defaults time (median) "
             "| plain runs in that time (median) |",
             "|---|---|---|---|---|---|"]
    for label, X, k in workloads:
        print(label, flush=True)
        res = same_budget(X, k, seeds)
        ratios = [a / b for a, b, _, _ in res]
        lower = sum(r < 1 - 1e-6 for r in ratios)
        higher = sum(r > 1 + 1e-6 for r in ratios)
        lines.append(f"| {label} | {len(res)} | {np.mean(ratios):.6f}; {max(ratios):.9f} "
                     f"| {lower} / {len(res) - lower - higher} / {higher} "
                     f"| {fmt_time(statistics.median(r[2] for r in res))} "
                     f"| {statistics.median(r[3] for r in res):.0f} |")
    return "\n".join(lines)


def speed_sentence(ratios):
    slower = [label for (label, _, _), r in zip(UEF_SETS, ratios) if r <= 1]
    span = f"scikit-learn n_init=10 takes {min(ratios):.1f}x to {max(ratios):.1f}x the time of Centrix defaults"
    if not slower:
        return f"Centrix defaults are faster than scikit-learn with n_init=10 on every set: {span}."
    return f"Centrix defaults are NOT faster than scikit-learn with n_init=10 on {', '.join(slower)}: {span}."


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 seeds, no Fashion-MNIST")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget-seeds", type=int, default=5)
    parser.add_argument("--skip-fashion", action="store_true")
    parser.add_argument("--only", choices=["uef", "budget"], help="run one part (the report then has only it)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "quality.md"))
    args = parser.parse_args()
    seeds = 3 if args.quick else args.seeds
    budget_seeds = 2 if args.quick else args.budget_seeds

    table, ratios, budget = "(not run)", [], "(not run)"
    if args.only != "budget":
        print("UEF sets", flush=True)
        table, _, ratios = uef_table(seeds)
    if args.only != "uef":
        print("Same time budget", flush=True)
        budget = budget_table(budget_seeds, args.skip_fashion or args.quick)
    import sklearn
    versions = f"centrix {centrix.__version__}, scikit-learn {sklearn.__version__}" + (
        f", faiss {faiss.__version__}" if faiss is not None else " (faiss not installed)")
    report = f"""# Quality benchmark

`bash bench/quality.sh` ({seeds} seeds per set{"" if not args.quick else ", --quick"}), {time.strftime("%Y-%m-%d")},
{cpu_name()}, {os.cpu_count()} logical CPUs; {versions}.

## UEF: Centroid Index against the ground truth

Each cell: mean CI over {seeds} seeds / share of runs with CI 0 / median time of one fit.
Centrix defaults are one greedy k-means++ run refined by swaps (`refine="auto"`); plain Lloyd is
the same run without refinement. faiss runs its defaults (25 iterations, one run).

{table}

{speed_sentence(ratios) if ratios else ""}

## Data without clear clusters: refinement against restarts in the same time

{budget}

A ratio below 1 means the refined result has the lower inertia. "Equal within 1e-6" means both
reached the same local optimum and differ only by where the stopping rule (tol = 1e-4 on the center
shift) ended them.
"""
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
