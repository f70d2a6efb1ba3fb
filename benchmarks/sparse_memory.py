"""Sparse rows whose dense form would not fit in memory: fit and transform.

Protocol: a CSR matrix of word-count-like rows (``--rows`` rows of ``--features``
features, ``--per-row`` Poisson counts per row at random columns), whose dense float32
form is larger than this machine's 24 GiB. One process fits ``AutoencoderReducer``
(``n_components=8``, one hidden layer of 64, one epoch: memory does not grow with epochs),
transforms every row, and reports the rise of the process's peak resident
memory (``ru_maxrss``) above where it stood once the matrix was built and Keras started,
beside the dense form's size. The rows are counts, so they are a table: they are
standardised, and the network starts at PCA's axes, found by ARPACK without densifying.

(``score`` reads rows the same way; tests/test_sparse.py measures it on a smaller matrix.)

Run: python benchmarks/sparse_memory.py [--rows 400000] [--features 16384] [--out DIR]
(``--report-only`` rewrites the report from the saved JSON.)
"""

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np
import scipy.sparse


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def word_counts(n_rows: int, n_features: int, per_row: int, seed: int = 0):
    """Rows of ``per_row`` counts at random columns (a bag-of-words shape), as CSR."""
    rng = np.random.default_rng(seed)
    columns = rng.integers(0, n_features, n_rows * per_row)
    counts = rng.poisson(1.0, n_rows * per_row) + 1.0
    pointers = np.arange(0, n_rows * per_row + 1, per_row)
    X = scipy.sparse.csr_matrix((counts, columns, pointers), shape=(n_rows, n_features))
    X.sum_duplicates()
    return X


def measure(n_rows: int, n_features: int, per_row: int) -> dict:
    from skae import AutoencoderReducer

    X = word_counts(n_rows, n_features, per_row)
    params = dict(
        n_components=8,
        hidden_layer_sizes=(64,),
        epochs=1,
        neighbor_loss=None,
        random_state=0,
    )
    AutoencoderReducer(**params).fit(X[:500]).score(X[:500])  # Keras' own start-up
    before = _peak_bytes()
    times = {}
    start = time.perf_counter()
    reducer = AutoencoderReducer(**params).fit(X)
    times["fit_s"] = time.perf_counter() - start
    start = time.perf_counter()
    codes = reducer.transform(X)
    times["transform_s"] = time.perf_counter() - start
    return {
        "rows": n_rows,
        "features": n_features,
        "stored_values": int(X.nnz),
        "csr_gib": (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**30,
        "dense_float32_gib": n_rows * n_features * 4 / 2**30,
        "peak_before_gib": before / 2**30,
        "peak_rise_gib": (_peak_bytes() - before) / 2**30,
        "starts_at_pca": bool(reducer.spec_.starts_at_pca),
        "codes_finite": bool(np.isfinite(codes).all()),
        **times,
    }


def report(result: dict) -> str:
    rows = [
        ("rows x features", f"{result['rows']:,} x {result['features']:,}"),
        ("stored values", f"{result['stored_values']:,}"),
        ("CSR matrix (GiB)", f"{result['csr_gib']:.2f}"),
        ("its dense float32 form (GiB)", f"{result['dense_float32_gib']:.1f}"),
        ("peak memory before fitting (GiB)", f"{result['peak_before_gib']:.2f}"),
        (
            "rise of peak memory: fit, transform (GiB)",
            f"{result['peak_rise_gib']:.2f}",
        ),
        ("fit, one epoch (s)", f"{result['fit_s']:.0f}"),
        ("transform, every row (s)", f"{result['transform_s']:.0f}"),
    ]
    lines = ["| measure | value |", "| --- | ---: |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--features", type=int, default=16_384)
    parser.add_argument("--per-row", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    saved = args.out / "sparse_memory.json"
    if args.report_only:
        result = json.loads(saved.read_text())
    else:
        result = measure(args.rows, args.features, args.per_row)
        args.out.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "sparse_memory.md").write_text(report(result))
    print(report(result))


if __name__ == "__main__":
    main()
