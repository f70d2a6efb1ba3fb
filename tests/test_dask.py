"""Dask (the ``dask`` extra): blockwise transform and grid search on worker processes.

A real two-process `LocalCluster`: every reducer crosses a process boundary by pickling,
fitted (for transform) or not (for the search's fits).
"""

import importlib
import logging
import os

import dask.array as da
import dask.dataframe as dd
import joblib
import numpy as np
import pandas as pd
import pytest
from dask.distributed import Client, LocalCluster, get_task_stream
from dask.sizeof import sizeof
from dask_ml.wrappers import ParallelPostFit
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderReducer

# Starting the workers and importing TensorFlow in them takes most of this file's time.
pytestmark = pytest.mark.slow

TINY = dict(hidden_layer_sizes=(8,), epochs=2, neighbor_loss=None, random_state=0)
# Weights and Adam's two moments: 1.2 MB on digits.
OVER_1_MB = dict(
    hidden_layer_sizes=(256, 128), epochs=1, neighbor_loss=None, random_state=0
)


@pytest.fixture(scope="module")
def client():
    # Spawned workers inherit os.environ, so conftest's TF_CPP_MIN_LOG_LEVEL quiets them.
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        # Import Keras on both workers at once, before any test waits on one.
        client.run(importlib.import_module, "skae.persistence")
        yield client


def _tasks_named(tasks, name: str) -> list[dict]:
    return [task for task in tasks.data if name in str(task["key"])]


def _workers_that_ran(tasks, name: str) -> set[str]:
    return {task["worker"] for task in _tasks_named(tasks, name)}


def _by_blocks(function, rows: np.ndarray, row_chunks: tuple[int, ...]) -> np.ndarray:
    """``function`` applied in this process to each block of rows, concatenated."""
    offsets = np.cumsum(row_chunks)[:-1]
    return np.concatenate([function(block) for block in np.split(rows, offsets)])


def _assert_ran_in_worker_processes(client, workers: set[str]):
    pids = client.run(os.getpid)
    assert workers, "no task ran"
    assert workers <= set(pids)
    assert os.getpid() not in {pids[worker] for worker in workers}


def test_dask_measures_a_fitted_reducer_by_its_weights(digits):
    fitted = AutoencoderReducer(**TINY).fit(digits[0][:100])
    weights = sum(array.nbytes for array in fitted.autoencoder_.get_weights())
    assert sizeof(AutoencoderReducer()) < 1_000
    assert sizeof(fitted) > 3 * weights  # the weights and Adam's two moments


def test_parallel_post_fit_transforms_blocks_on_the_workers(client, digits):
    X_train, X_test = digits[0], digits[1]
    reducer = ParallelPostFit(AutoencoderReducer(**OVER_1_MB)).fit(X_train[:400])
    fitted = reducer.estimator
    assert sizeof(fitted) > 1e6  # so that Dask ships it to each worker once
    X = np.concatenate([X_train, X_test])
    for dtype in (np.float64, np.float32):
        rows = X.astype(dtype)
        blocks = da.from_array(rows, chunks=(450, -1))
        with get_task_stream(client) as tasks:
            codes = reducer.transform(blocks).compute()

        # A worker runs the same NumPy products on the same weights as this process, but
        # BLAS rounds the last bits differently when rows are split differently or run
        # on another number of BLAS threads, so the reference is the transform of the
        # same blocks, equal up to that rounding.
        assert codes.dtype == dtype
        np.testing.assert_allclose(
            codes,
            _by_blocks(fitted.transform, rows, blocks.chunks[0]),
            rtol=10 * np.finfo(dtype).eps,
            atol=10 * np.finfo(dtype).eps,
        )
        _assert_ran_in_worker_processes(client, _workers_that_ran(tasks, "transform"))
        assert len(_tasks_named(tasks, "AutoencoderReducer")) == 1
    # score gathers the rows and scores them here, as the reducer itself would.
    assert reducer.score(blocks, None) == fitted.score(rows)


def test_parallel_post_fit_keeps_feature_names_and_pandas_output(client, digits):
    columns = [f"pixel{i}" for i in range(digits[0].shape[1])]
    X_train = pd.DataFrame(digits[0], columns=columns)
    X = pd.DataFrame(digits[1], columns=columns, index=np.arange(len(digits[1])) + 5000)
    reducer = AutoencoderReducer(**TINY).set_output(transform="pandas")
    parallel = ParallelPostFit(reducer).fit(X_train)
    partitions = dd.from_pandas(X, npartitions=2)

    codes = parallel.transform(partitions)

    assert list(codes.columns) == ["autoencoderreducer0", "autoencoderreducer1"]
    pieces = [part.compute(scheduler="sync") for part in partitions.partitions]
    expected = pd.concat([reducer.transform(piece) for piece in pieces])
    pd.testing.assert_frame_equal(codes.compute(), expected)


def test_map_blocks_round_trip_with_exact_chunks(client, digits):
    reducer = AutoencoderReducer(**TINY).fit(digits[0])
    X = digits[1]
    blocks = da.from_array(X, chunks=(200, -1))
    # The reducer as an argument, not a bound method, so that Dask ships it once when
    # it is large; ParallelPostFit's result would declare the input's 64 columns.
    codes = da.map_blocks(
        AutoencoderReducer.transform,
        reducer,
        blocks,
        chunks=(blocks.chunks[0], (reducer.n_components,)),
        dtype=X.dtype,
    )
    rows = da.map_blocks(
        AutoencoderReducer.inverse_transform,
        reducer,
        codes,
        chunks=blocks.chunks,
        dtype=X.dtype,
    )
    assert codes.shape == (len(X), reducer.n_components)
    with get_task_stream(client) as tasks:
        computed_codes, computed_rows = da.compute(codes, rows)

    np.testing.assert_array_equal(
        computed_codes, _by_blocks(reducer.transform, X, blocks.chunks[0])
    )
    np.testing.assert_array_equal(
        computed_rows,
        _by_blocks(reducer.inverse_transform, computed_codes, blocks.chunks[0]),
    )
    _assert_ran_in_worker_processes(client, _workers_that_ran(tasks, "transform"))


def test_grid_search_runs_its_fits_on_the_workers(client, digits):
    X = digits[0][:400]
    search = GridSearchCV(
        AutoencoderReducer(**TINY), {"n_components": [1, 2]}, cv=2, refit=False
    )
    in_process = clone(search).fit(X)
    with get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        on_dask = search.fit(X)

    # Seeded training is deterministic, wherever it runs.
    for split in ("split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(
            on_dask.cv_results_[split], in_process.cv_results_[split]
        )
    assert on_dask.best_params_ == in_process.best_params_
    workers = _workers_that_ran(tasks, "fit_and_score")
    _assert_ran_in_worker_processes(client, workers)
