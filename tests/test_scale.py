"""Scaling out and up: training under tf.distribute strategies, data larger than memory.

Strategies with several devices or workers need TensorFlow set up before it starts, so
those runs happen in subprocesses (tests/strategy_runs.py); everything is real: two
logical CPU devices, two worker processes talking over 127.0.0.1.
"""

import gc
import json
import os
import pickle
import socket
import subprocess
import sys
import tracemalloc
import weakref
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from skae import AutoencoderReducer

RUNS = Path(__file__).with_name("strategy_runs.py")
TINY = dict(n_components=4, hidden_layer_sizes=(8,), epochs=2, random_state=0)


def _held_out_error(reducer, X) -> float:
    return float(np.mean((X - reducer.inverse_transform(reducer.transform(X))) ** 2))


def _environment(**extra) -> dict:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **extra}


def _report(completed: subprocess.CompletedProcess | tuple) -> dict:
    """The JSON report a run printed last, or a failure showing its error output."""
    returncode, stdout, stderr = completed
    assert returncode == 0, f"run failed ({returncode}):\n{stderr[-4000:]}"
    return json.loads(stdout.strip().splitlines()[-1])


# ------------------------------------------------------------ batches and shards


def test_every_worker_reads_only_its_share_of_each_batch():
    """Pipelines of two workers split each global batch, and together read every row."""
    import tensorflow as tf

    from skae.batches import RowReader, batch_bounds
    from skae.tf_batches import _input_pipeline

    # 21 rows in batches of 8: the last batch of 5 is split 2 + 3 between the workers.
    X = np.arange(21, dtype=np.float32)[:, None]
    pieces = []
    for worker in range(2):
        context = tf.distribute.InputContext(
            num_input_pipelines=2, input_pipeline_id=worker, num_replicas_in_sync=2
        )
        dataset = _input_pipeline(
            RowReader(X), None, context, batch_size=8, epochs=range(3, 5), order_seed=1
        )
        pieces.append([rows.numpy().ravel() for rows, _ in dataset])
    steps = len(batch_bounds(21, 8, 2)[0])
    epochs = [range(epoch * steps, (epoch + 1) * steps) for epoch in range(2)]
    assert [len(worker_pieces) for worker_pieces in pieces] == [2 * steps, 2 * steps]
    for epoch in epochs:
        batches = [np.concatenate([pieces[0][step], pieces[1][step]]) for step in epoch]
        assert [len(batch) for batch in batches] == [8, 8, 5]
        assert sorted(np.concatenate(batches)) == list(range(21))
        assert all(abs(len(pieces[0][step]) - len(pieces[1][step])) <= 1 for step in epoch)
    # Each epoch has its own order.
    assert not np.array_equal(pieces[0][0], pieces[0][steps])


def test_training_pipelines_are_not_autotuned(digits):
    """Deleting an autotuned pipeline's iterator, when a fit returned, sometimes waited
    for tf.data's tuner: 7.5 s after a dense fit on MNIST (pipeline_autotune.md)."""
    from skae.batches import RowReader
    from skae.neighbors import neighbor_graph
    from skae.tf_batches import shuffled_batches

    X = digits[0][:100].astype(np.float32)
    graph = neighbor_graph(X, 5, 0.1, seed=0)
    for edges in (None, graph):
        dataset = shuffled_batches(RowReader(X), 32, 0, 0, 1, graph=edges)
        assert dataset.options().autotune.enabled is False


def test_a_last_batch_smaller_than_the_replicas_joins_the_one_before():
    from skae.batches import batch_bounds

    assert [list(bounds) for bounds in batch_bounds(129, 128, 2)] == [[0], [129]]
    assert [list(bounds) for bounds in batch_bounds(130, 128, 2)] == [[0, 128], [128, 130]]
    with pytest.raises(ValueError, match="1 rows cannot be split over 2 replicas"):
        batch_bounds(1, 128, 2)


def test_even_batches_hold_whole_shares_for_every_device():
    """JAX shards a batch only evenly: every batch a multiple of the device count."""
    from skae.batches import batch_bounds, edge_batch_bounds

    starts, stops = batch_bounds(501, 63, 2, even=True)
    assert set(stops - starts) == {62, 4} and stops[-1] == 500  # one row sits out
    starts, stops = batch_bounds(7, 128, 3, even=True)
    assert list(starts) == [0] and list(stops) == [6]
    starts, stops = edge_batch_bounds(101, 64, 2, even=True)  # 32 edges: 64 rows
    assert set(stops - starts) == {32, 4} and stops[-1] == 100


def test_fit_keeps_no_reference_to_the_training_rows(digits):
    X = digits[0][:300].copy()
    rows = weakref.ref(X)
    AutoencoderReducer(early_stopping=True, **TINY).fit(X)
    del X
    gc.collect()
    assert rows() is None


# ------------------------------------------------------------------- strategies


@pytest.fixture(scope="module")
def mirrored_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mirrored")
    completed = subprocess.run(
        [sys.executable, str(RUNS), "mirrored", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_environment(),
    )
    return folder, _report((completed.returncode, completed.stdout, completed.stderr))


@pytest.mark.slow
def test_mirrored_training_matches_single_device_training(mirrored_run):
    _, report = mirrored_run
    assert report["replicas"] == 2
    assert report["variable_type"] == "MirroredVariable"
    single, mirrored = report["single_error"], report["mirrored_error"]
    assert abs(mirrored - single) <= 0.10 * single, report
    # A conv code's rise and fall: one epoch of each over two epochs (3e-3 x 1/2, 1/4).
    assert report["conv_schedule"] == "warmup_linear"
    assert report["conv_rates"] == pytest.approx([1.5e-3, 0.75e-3])


@pytest.mark.slow
def test_training_continues_and_rolls_back_under_the_strategy(mirrored_run):
    _, report = mirrored_run
    assert report["n_iter_continued"] == 12  # 10 epochs, then one inside and one outside
    assert report["diverged"]
    assert report["n_iter_after_divergence"] == 1
    assert report["state_kept"]


@pytest.mark.slow
def test_a_reducer_fitted_under_a_strategy_is_ordinary_outside_it(mirrored_run, digits):
    folder, _ = mirrored_run
    X_train, X_test = digits[0], digits[1]
    codes = np.load(folder / "codes.npy")
    loaded = AutoencoderReducer.load(folder / "mirrored.skae")
    unpickled = pickle.loads((folder / "mirrored.pkl").read_bytes())
    for reducer in (loaded, unpickled):
        assert np.array_equal(reducer.transform(X_test), codes)
        assert reducer.autoencoder_.distribute_strategy.num_replicas_in_sync == 1
    before = loaded.n_iter_
    assert loaded.partial_fit(X_train).n_iter_ == before + 1
    refit = clone(unpickled).set_params(epochs=1).fit(X_train)
    assert refit.transform(X_test).shape == codes.shape


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_two_workers_train_one_model_that_the_chief_saves(tmp_path, digits):
    workers = [f"127.0.0.1:{_free_port()}" for _ in range(2)]
    processes = []
    try:
        for index in range(2):
            config = {
                "cluster": {"worker": workers},
                "task": {"type": "worker", "index": index},
            }
            processes.append(
                subprocess.Popen(
                    [sys.executable, str(RUNS), "worker", str(tmp_path)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=_environment(TF_CONFIG=json.dumps(config)),
                )
            )
        reports = [
            _report((process.wait(timeout=240), *process.communicate(timeout=10)))
            for process in processes
        ]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert [report["index"] for report in reports] == [0, 1]
    assert all(report["replicas"] == 2 for report in reports)
    # One model: every worker logged the same losses, averaged over both.
    assert reports[0]["loss"] == reports[1]["loss"]
    assert reports[0]["val_loss"] == reports[1]["val_loss"]
    assert len(reports[0]["loss"]) == 3

    X_train, X_test = digits[0], digits[1]
    reducer = AutoencoderReducer.load(tmp_path / "chief.skae")
    assert reducer.n_iter_ == 3
    mean_row_error = float(np.mean((X_test - X_train.mean(axis=0)) ** 2))
    assert _held_out_error(reducer, X_test) < 0.6 * mean_row_error


def test_continuing_inside_a_strategy_scope_moves_the_networks_there(digits):
    import tensorflow as tf

    X_train, X_test = digits[0][:500], digits[1]
    # Without training noise, whose draws differ under a strategy.
    plain = AutoencoderReducer(noise=0.0, **TINY).fit(X_train)
    moved = clone(plain).fit(X_train)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        moved.partial_fit(X_train)
    plain.partial_fit(X_train)
    assert moved.autoencoder_.distribute_strategy is strategy
    assert moved.n_iter_ == plain.n_iter_ == 3
    # Weights and optimizer state came along: the step matches the one without a scope.
    np.testing.assert_allclose(moved.transform(X_test), plain.transform(X_test), atol=1e-6)


def test_continuing_under_another_strategy_is_refused_clearly(digits):
    import tensorflow as tf

    X_train = digits[0][:300]
    first, second = (tf.distribute.MirroredStrategy(["/cpu:0"]) for _ in range(2))
    with first.scope():
        reducer = AutoencoderReducer(**TINY).fit(X_train)
    codes = reducer.transform(X_train)
    with second.scope(), pytest.raises(RuntimeError, match="made under another"):
        reducer.partial_fit(X_train)
    assert reducer.n_iter_ == 2
    assert np.array_equal(reducer.transform(X_train), codes)
    with second.scope():  # a fresh fit builds new networks under the current strategy
        reducer.fit(X_train)
    assert reducer.autoencoder_.distribute_strategy is second


# ------------------------------------------------------- data larger than memory


def _anonymous_resident_bytes() -> int:
    """Resident memory not backed by files: a memmap's pages read from disk don't count."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


def _random_memmap(path, n_samples: int, n_features: int):
    """A read-only memmap of uniform float32 rows, written 2,000 rows at a time."""
    X = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n_samples, n_features)
    )
    rng = np.random.default_rng(0)
    for start in range(0, n_samples, 2_000):
        stop = min(start + 2_000, n_samples)
        X[start:stop] = rng.random((stop - start, n_features), dtype=np.float32)
    X.flush()
    del X
    return np.load(path, mmap_mode="r")


@pytest.mark.slow
def test_training_and_transform_stream_a_memmap(tmp_path):
    n_samples = 200_000
    X = _random_memmap(tmp_path / "rows.npy", n_samples, 256)  # 205 MB of float32
    reducer = AutoencoderReducer(
        n_components=2,
        hidden_layer_sizes=(8,),
        epochs=1,
        batch_size=4096,
        early_stopping=True,
        neighbor_loss=None,  # the graph's own memory: the test below
        random_state=0,
    )
    reducer.fit(X[:5000])  # warm up TensorFlow outside the measurement
    budget = X.nbytes // 8  # 26 MB
    resident_before = _anonymous_resident_bytes()
    tracemalloc.start()
    try:
        reducer.fit(X)
        _, fit_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        reducer.partial_fit(X)
        _, partial_fit_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        codes = reducer.transform(X)
        _, transform_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    resident_growth = _anonymous_resident_bytes() - resident_before
    assert max(fit_peak, partial_fit_peak, transform_peak) < budget, (
        fit_peak,
        partial_fit_peak,
        transform_peak,
    )
    # TensorFlow's own allocations bypass tracemalloc: the process as a whole must not
    # have loaded a copy of X either.
    assert resident_growth < X.nbytes // 2, resident_growth
    assert reducer.n_iter_ == 2
    assert codes.shape == (n_samples, 2)
    assert codes.dtype == np.float32


@pytest.mark.slow
def test_the_neighbour_graph_of_a_memmap_holds_the_graph_not_the_rows(tmp_path):
    X = _random_memmap(tmp_path / "rows.npy", 12_000, 1024)  # 49 MB, 8x the graph
    from skae.neighbors import neighbor_graph

    neighbor_graph(np.asarray(X[:500]), 15, 0.1, seed=0)  # compile outside the count
    tracemalloc.start()
    try:
        graph = neighbor_graph(X, 15, 0.1, seed=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    graph_bytes = graph.heads.nbytes + graph.tails.nbytes + graph.cumulative.nbytes
    # The graph, the neighbour lists it is made from, umap-learn's sparse matrices of
    # it and the search's bounded chunks of distances: a few times the graph, far less
    # than the rows.
    assert peak < 6 * graph_bytes, (peak, graph_bytes, X.nbytes)
    assert peak < X.nbytes // 2, (peak, X.nbytes)


@pytest.mark.slow
def test_partial_fit_over_chunks_learns_as_well_as_fit(digits, tmp_path):
    """Passes over chunks read from a file one at a time reach fit's held-out error.

    8 passes over 3 chunks against 8 epochs over the whole, within 10%; one pass over
    the chunks is far worse (2.3 times fit's error), so the test can fail.
    """
    X_train, X_test = digits[0], digits[1]
    np.save(tmp_path / "train.npy", X_train)
    params = dict(
        n_components=8, hidden_layer_sizes=(32,), learning_rate=3e-3, random_state=0
    )
    epochs = 8
    whole = AutoencoderReducer(epochs=epochs, **params).fit(X_train)
    chunked = AutoencoderReducer(**params)
    stored = np.load(tmp_path / "train.npy", mmap_mode="r")
    bounds = np.linspace(0, len(stored), 4).astype(int)
    for _ in range(epochs):
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            chunked.partial_fit(np.array(stored[start:stop]))
    whole_error = _held_out_error(whole, X_test)
    chunked_error = _held_out_error(chunked, X_test)
    assert chunked_error <= 1.10 * whole_error, (chunked_error, whole_error)


def test_the_private_keras_hooks_of_distributed_training_are_as_tested():
    # skae patches these on the model under a tf.distribute strategy; when a Keras
    # upgrade renames them or changes their parameters, or is newer than the versions
    # they were checked in, this fails here instead of training failing obscurely.
    import keras

    from skae.distribution import TESTED_KERAS_VERSIONS, private_hooks_problem

    assert private_hooks_problem(keras.Model()) is None
    installed = tuple(int(part) for part in keras.__version__.split(".")[:2])
    low, high = TESTED_KERAS_VERSIONS
    assert low <= installed <= high, (
        f"Keras {keras.__version__} is outside the versions whose private hooks skae "
        f"was checked with ({low} to {high}): check skae.distribution's workarounds "
        "against it, then widen TESTED_KERAS_VERSIONS."
    )


def test_changed_private_keras_hooks_refuse_distributed_training(monkeypatch):
    import keras

    from skae import distribution

    monkeypatch.setitem(
        distribution.PRIVATE_KERAS_HOOKS, "_symbolic_build", ("iterator", "batch")
    )
    problem = distribution.private_hooks_problem(keras.Model())
    assert "_symbolic_build takes ('iterator', 'data_batch')" in problem
