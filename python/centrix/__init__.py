"""Centrix: fast, exact k-means clustering.

``centrix.KMeans``, ``centrix.MiniBatchKMeans`` and ``centrix.MeanShift`` are
scikit-learn compatible estimators; ``centrix.kmeans`` is k-means as a plain function;
``centrix.metrics`` holds clustering-quality measures (adjusted Rand index,
NMI, silhouette, Centroid Index, inertia); ``centrix.plot`` draws clusterings,
convergence and animations (needs matplotlib: ``pip install centrix[plot]``;
imported on first use). All run the Centrix C++ library
(multi-threaded, no copy of C-contiguous float32/float64 input, bitwise
reproducible for a seed whatever the thread count).
"""

from . import metrics
from ._kmeans import KMeans, KMeansResult, kmeans
from ._mean_shift import MeanShift, estimate_bandwidth
from ._mini_batch import MiniBatchKMeans

__all__ = ["KMeans", "KMeansResult", "MeanShift", "MiniBatchKMeans", "estimate_bandwidth", "kmeans", "metrics",
           "plot"]
__version__ = "0.1.0"


def __getattr__(name):
    # centrix.plot is imported on first use, so that `import centrix` costs nothing more without it.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
