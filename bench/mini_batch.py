"""Mini-batch k-means: Centrix against scikit-learn, in one run.

For each workload, centrix.MiniBatchKMeans and sklearn.cluster.MiniBatchKMeans
with the same parameters (batch_size, max_iter, max_no_improvement, init, and
the same random_state per run): the median wall time of the fit (which
includes labelling every row at the end) and the median final inertia over
every row (each library's inertia_; Centrix's is computed exactly in
double), plus the median number of steps. The two libraries draw different
random batches from the same seed, so the inertias agree statistically, not
bitwise. Writes bench/results/mini_batch.md (and prints it).

    .venv/bin/python bench/mini_batch.py [--repeats R] [--large-repeats R] [--large-n N] [--large-max-iter M]
                                         [--quick]
"""

import argparse
import os
import pathlib
import statistics
import time

import numpy as np
import sklearn
from sklearn.cluster import MiniBatchKMeans
from sklearn.datasets import make_blobs

import centrix
from machine import cpu_name

ROOT = pathlib.Path(__file__).resolve().parents[1]
FRANTI = ROOT.parent / "shared" / "data" / "franti"


def workloads(args):
    """(name, X, k, extra parameters, runs)."""
    n_mid = 20_000 if args.quick else 100_000
    X = make_blobs(n_samples=n_mid, n_features=64, centers=256, random_state=0)[0]
    yield f"mid: make_blobs {n_mid}x64, 256 centers (float64)", X, 256, {}, args.repeats
    n_large = 50_000 if args.quick else args.large_n
    X = np.random.default_rng(0).standard_normal((n_large, 100), dtype=np.float32)
    extra = {"max_iter": args.large_max_iter} if args.large_max_iter else {}
    yield f"keops-large-ish: N(0,1) {n_large}x100 (float32)", X, 1000, extra, args.large_repeats or args.repeats
    path = FRANTI / "birch1.txt"
    if path.exists():
        yield "UEF Birch1 100000x2 (float64)", np.loadtxt(path), 100, {}, args.repeats


def run(cls, X, k, seed, params):
    start = time.perf_counter()
    model = cls(n_clusters=k, random_state=seed, **params).fit(X)
    return time.perf_counter() - start, model.inertia_, model.n_steps_


def compare(args):
    rows = []
    for name, X, k, extra, repeats in workloads(args):
        params = {"batch_size": args.batch_size, **extra}
        results = {}
        for label, cls, more in (("sklearn", MiniBatchKMeans, {}), ("centrix", centrix.MiniBatchKMeans, {}),
                                 ("centrix 1 thread", centrix.MiniBatchKMeans, {"n_threads": 1})):
            runs = [run(cls, X, k, seed, {**params, **more}) for seed in range(repeats)]
            results[label] = [statistics.median(r[i] for r in runs) for i in range(3)]
            print(f"  {name} {label}: {results[label]}", flush=True)
        (t_sk, i_sk, s_sk), (t_cx, i_cx, s_cx) = results["sklearn"], results["centrix"]
        t_one, i_one, _ = results["centrix 1 thread"]
        assert i_one == i_cx, "the thread count changed Centrix's result"
        rows.append((name, len(X), X.shape[1], k, params.get("max_iter", 100), repeats, t_sk, t_cx, t_one,
                     t_sk / min(t_cx, t_one), i_sk, i_cx, i_cx / i_sk, s_sk, s_cx))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="runs (seeds 0..R-1) per library and workload")
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--large-repeats", type=int, default=3, help="runs for the keops-large-ish workload")
    parser.add_argument("--large-n", type=int, default=1_000_000, help="rows of the keops-large-ish workload")
    parser.add_argument("--large-max-iter", type=int, default=0,
                        help="epochs for the keops-large-ish workload (0: the default, 100)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    args = parser.parse_args()
    rows = compare(args)
    command = "`.venv/bin/python bench/mini_batch.py" + (f" --repeats {args.repeats}" if args.repeats != 5 else "")
    command += (f" --large-repeats {args.large_repeats}" if args.large_repeats != 3 else "")
    command += (f" --large-n {args.large_n}" if args.large_n != 1_000_000 else "")
    command += (f" --large-max-iter {args.large_max_iter}" if args.large_max_iter else "") + "`"
    lines = [
        "# Mini-batch k-means: Centrix against scikit-learn",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores, shared and noisy; scikit-learn {sklearn.__version__}, "
        f"centrix {centrix.__version__}. Median over runs with random_state 0, 1, ... (the same seeds for both "
        f"libraries; {args.repeats} runs unless the table says otherwise), batch_size {args.batch_size}, every "
        "other parameter at its default (k-means++ init, max_no_improvement 10, tol 0, reassignment_ratio 0.01) "
        "unless the table says otherwise. Times are whole fits, including the final labelling of every row; "
        "inertia is over every row. Centrix runs twice, with every core (the default) and with n_threads=1 (the "
        "same result, bitwise; on a shared, oversubscribed machine a thread team waits for descheduled threads at "
        "every step); the speed-up is against the faster of the two. The libraries draw different batches from one "
        f"seed, so inertias agree in distribution, not bitwise. Command: {command}.",
        "",
        "| workload | N | D | k | max_iter | runs | sklearn s | centrix s | centrix 1 thread s | speed-up | "
        "sklearn inertia | centrix inertia | centrix / sklearn inertia | sklearn steps | centrix steps |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]:.3f} | {r[7]:.3f} | {r[8]:.3f} | "
                     f"{r[9]:.1f}x | {r[10]:.6g} | {r[11]:.6g} | {r[12]:.4f} | {r[13]:.0f} | {r[14]:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        (ROOT / "bench" / "results" / "mini_batch.md").write_text(text)


if __name__ == "__main__":
    main()
