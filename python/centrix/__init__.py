"""Centrix: fast, exact k-means clustering.

``centrix.KMeans`` is a scikit-learn compatible estimator; ``centrix.kmeans``
is the same clustering as a plain function. Both run the Centrix C++ library
(multi-threaded, no copy of C-contiguous float32/float64 input, bitwise
reproducible for a seed whatever the thread count).
"""

from ._kmeans import KMeans, KMeansResult, kmeans

__all__ = ["KMeans", "KMeansResult", "kmeans"]
__version__ = "0.1.0"
