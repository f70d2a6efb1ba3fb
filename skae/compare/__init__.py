"""Compare `AutoencoderReducer` with PCA, KernelPCA, t-SNE and UMAP on one dataset.

`compare` fits each method on training rows and measures it on held-out test rows:
reconstruction error (for methods with an inverse), trustworthiness and continuity of the
test rows' embedding, 5-nearest-neighbours accuracy in the embedding, and fit and
transform time. t-SNE cannot embed new rows, so it is fitted on the training and test
rows together and its k-NN accuracy is cross-validated; its row says so. The result, a
`Comparison`, writes a CSV table, a Markdown report and the figures of
`ComparisonDisplay` (`Comparison.write`). Rows without labels are compared without the
k-NN accuracy.

The splits used by ``skae compare`` and the benchmarks come from
`skae.datasets.load_comparison_data`; its names are also importable from here.

The modules, each using only those before it:

- ``methods``: the compared methods, how each reducer is built, their notes;
- ``display``: the figures (`ComparisonDisplay`), panels from `skae.plots`;
- ``report``: `Comparison`, its table, CSV and Markdown report;
- ``runner``: `compare`, timing and measuring each method (`MethodResult`), metrics
  from `skae.metrics`.
"""

# Moved to skae.datasets; still importable from here.
from ..datasets import (
    ComparisonData,
    check_split_sizes,
    load_comparison_data,
    split_comparison_data,
)
from .display import ComparisonDisplay
from .methods import (
    CV_FOLDS,
    METHODS,
    N_NEIGHBORS,
    TSNE_MAX_COMPONENTS,
    UMAP_MAX_INVERSE_COMPONENTS,
    UMAP_MISSING_NOTE,
    WARM_UP_ROWS,
    resolve_methods,
)
from .report import COLUMNS, NO_LABELS_NOTE, Comparison
from .runner import MethodResult, Progress, compare, print_progress

__all__ = [
    "COLUMNS",
    "CV_FOLDS",
    "METHODS",
    "N_NEIGHBORS",
    "NO_LABELS_NOTE",
    "TSNE_MAX_COMPONENTS",
    "UMAP_MAX_INVERSE_COMPONENTS",
    "UMAP_MISSING_NOTE",
    "WARM_UP_ROWS",
    "Comparison",
    "ComparisonData",
    "ComparisonDisplay",
    "MethodResult",
    "Progress",
    "check_split_sizes",
    "compare",
    "load_comparison_data",
    "print_progress",
    "resolve_methods",
    "split_comparison_data",
]
