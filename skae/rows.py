"""Slices of rows made dense, whatever holds X: an ndarray, a memmap, a sparse matrix.

skae accepts `scipy.sparse` rows (CSR or CSC, as `TfidfVectorizer` and `OneHotEncoder`
make; other formats are converted to CSR as PCA does) but never densifies them whole:
every pass over X (statistics, batches, encoding) slices a bounded number of rows and
makes only that slice dense. CSR slices rows without copying the matrix, so checked
sparse rows are held in CSR.
"""

import numpy as np
import scipy.sparse

# The formats validation accepts, as PCA's; the first is the one others become.
SPARSE_FORMATS = ("csr", "csc")


def as_row_sliceable(X):
    """X itself, or a sparse X in CSR, whose row slices cost only the rows read."""
    if scipy.sparse.issparse(X) and X.format != "csr":
        return X.tocsr()
    return X


def dense(rows, dtype=None) -> np.ndarray:
    """``rows`` as an ndarray (of ``dtype``, or their own), densified if sparse."""
    if scipy.sparse.issparse(rows):
        rows = rows.toarray()
    return np.asarray(rows, dtype=dtype)


class RowSubset:
    """The rows of X at sorted ``indices``, read only when sliced.

    Slicing it slices ``indices`` and reads those rows of X, so every chunked pass
    over X (`dense_chunks`) runs on a subset of a memmap without copying it.
    """

    def __init__(self, X, indices: np.ndarray):
        self.X = X
        self.indices = indices

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.indices), self.X.shape[1])

    def __getitem__(self, rows: slice):
        return self.X[self.indices[rows]]

    def materialized(self):
        """The rows as one array (or sparse matrix) of X's kind: a copy."""
        return self.X[self.indices]


# Passes over X make dense chunks of about this many bytes of float64 values.
CHUNK_BYTES = 8 * 2**20


def dense_chunks(X):
    """X's consecutive rows, dense, in chunks of about `CHUNK_BYTES` as float64.

    Chunks are sized in bytes, so the temporaries stay small however wide X is.
    """
    chunk_rows = max(1, CHUNK_BYTES // (8 * X.shape[1]))
    for start in range(0, X.shape[0], chunk_rows):
        yield dense(X[start : start + chunk_rows])
