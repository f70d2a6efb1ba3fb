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


# Passes over X make dense chunks of about this many bytes of float64 values.
CHUNK_BYTES = 8 * 2**20


def dense_chunks(X):
    """X's consecutive rows, dense, in chunks of about `CHUNK_BYTES` as float64.

    Chunks are sized in bytes, so the temporaries stay small however wide X is.
    """
    chunk_rows = max(1, CHUNK_BYTES // (8 * X.shape[1]))
    for start in range(0, X.shape[0], chunk_rows):
        yield dense(X[start : start + chunk_rows])
