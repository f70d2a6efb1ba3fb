"""``skae fit``, ``transform``, ``inverse-transform``, ``sample`` and ``info`` end to end.

Tiny models (one hidden layer of 8, 2 epochs) on 300 digits rows, read from .csv, .npy
and .npz files; what the commands print or write must equal the Python API's results
exactly.
"""

import contextlib
import io
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

from skae import AutoencoderReducer, cli

TINY = ["--hidden-layer-sizes", "8", "--epochs", "2", "--random-state", "0", "--quiet"]


def run(capsys, argv):
    """``cli.main(argv)`` in-process: (exit status, stdout, stderr)."""
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def parse_csv(text: str) -> np.ndarray:
    return np.loadtxt(text.splitlines(), delimiter=",", ndmin=2)


@pytest.fixture(scope="module")
def X():
    return load_digits().data[:300] / 16


@pytest.fixture(scope="module")
def files(X, tmp_path_factory):
    """The data as .npy and as .csv with a header row, and a model fitted on the CSV."""
    folder = tmp_path_factory.mktemp("shell")
    npy, csv = folder / "X.npy", folder / "X.csv"
    np.save(npy, X)
    header = ",".join(f"pixel{i}" for i in range(X.shape[1]))
    np.savetxt(csv, X, fmt="%.17g", delimiter=",", header=header, comments="")
    model = folder / "digits.skae"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        status = cli.main(["fit", str(csv), "--out", str(model), *TINY])
    assert status == 0
    return {
        "folder": folder,
        "npy": str(npy),
        "csv": str(csv),
        "model": str(model),
        "fit_stderr": stderr.getvalue(),
    }


@pytest.fixture(scope="module")
def reducer(files):
    return AutoencoderReducer.load(files["model"])


def test_fit_saves_the_model_and_summarises_on_stderr(files, reducer, X):
    stderr = files["fit_stderr"]
    assert stderr.count("\n") == 1 and "trained 2 epochs" in stderr
    assert files["model"] in stderr
    # The CSV's header was skipped, and the fit is the API's with the same parameters.
    expected = AutoencoderReducer(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    expected.fit(X)
    assert reducer.get_params() == expected.get_params()
    np.testing.assert_array_equal(reducer.transform(X), expected.transform(X))
    assert f"final loss {expected.history_['loss'][-1]:.6g}" in stderr


def test_transform_to_stdout_csv_and_npy_equals_the_api(capsys, files, reducer, X):
    expected = reducer.transform(X)
    status, stdout, stderr = run(capsys, ["transform", files["model"], files["csv"]])
    assert status == 0 and stderr == ""
    np.testing.assert_array_equal(parse_csv(stdout), expected)  # exact, float64
    for name in ("codes.csv", "codes.npy"):
        out = files["folder"] / name
        status, stdout, _ = run(
            capsys, ["transform", files["model"], files["npy"], "--out", str(out)]
        )
        assert status == 0 and stdout == ""
        written = np.load(out) if name.endswith(".npy") else np.loadtxt(out, delimiter=",")
        np.testing.assert_array_equal(written, expected)


@pytest.mark.parametrize("arrays", [("X", "y"), ("data",), ("arr_0",)])
def test_transform_reads_the_rows_of_an_npz_archive(capsys, files, reducer, X, arrays):
    # The rows are the array X or data, or the only array; labels beside them are ignored.
    archive = files["folder"] / f"rows_{arrays[0]}.npz"
    np.savez(archive, **{name: X if name != "y" else np.arange(len(X)) for name in arrays})
    status, stdout, _ = run(capsys, ["transform", files["model"], str(archive)])
    assert status == 0
    np.testing.assert_array_equal(parse_csv(stdout), reducer.transform(X))


def test_inverse_transform_equals_the_api(capsys, files, reducer, X):
    codes = files["folder"] / "codes_for_inverse.csv"
    run(capsys, ["transform", files["model"], files["npy"], "--out", str(codes)])
    status, stdout, _ = run(capsys, ["inverse-transform", files["model"], str(codes)])
    assert status == 0
    rows = parse_csv(stdout)
    assert rows.shape == X.shape
    np.testing.assert_array_equal(rows, reducer.inverse_transform(reducer.transform(X)))


def test_info_text_and_json(capsys, files, reducer):
    status, stdout, _ = run(capsys, ["info", files["model"]])
    assert status == 0
    assert "64 features -> 2 components" in stdout
    assert f"Keras {keras.__version__} on {keras.config.backend()}" in stdout
    assert "hidden_layer_sizes = [8]" in stdout
    assert "encoder_network/encoder_hidden_1  Dense" in stdout
    assert "Training: 2 epochs" in stdout
    loss = reducer.history_["loss"]
    assert f"loss: first {loss[0]:.6g}, last {loss[-1]:.6g}" in stdout
    status, stdout, _ = run(capsys, ["info", files["model"], "--json"])
    info = json.loads(stdout)
    assert info["epochs_trained"] == 2 and info["n_components"] == 2
    assert info["backend"] == keras.config.backend()
    assert info["history"]["loss"] == loss
    assert info["params"]["hidden_layer_sizes"] == [8]
    assert sum(layer["params"] for layer in info["encoder"]) == (
        reducer.encoder_.count_params()
    )


def test_sample_from_a_variational_model_equals_the_api(capsys, files, X):
    model = str(files["folder"] / "vae.skae")
    status, _, _ = run(
        capsys, ["fit", files["npy"], "--out", model, "--variational", *TINY]
    )
    assert status == 0
    out = files["folder"] / "samples.npy"
    argv = ["sample", model, "-n", "5", "--random-state", "3", "--out", str(out)]
    assert run(capsys, argv)[0] == 0
    expected = AutoencoderReducer.load(model).sample(5, random_state=3)
    np.testing.assert_array_equal(np.load(out), expected)
    assert np.load(out).shape == (5, X.shape[1])


@pytest.mark.parametrize(
    "argv, named",
    [
        (["transform", "{model}", "{folder}/missing.csv"], "missing.csv: no such file"),
        (["fit", "{folder}/missing.npy", "--out", "{folder}/m.skae"], "no such file"),
        (["transform", "{folder}/missing.skae", "{npy}"], "no such model file"),
        (["transform", "{csv}", "{npy}"], "not a skae model file"),
        (["sample", "{model}", "-n", "3"], "no method 'sample' with variational=False"),
        (["transform", "{model}", "{wide}"], "X has 10 features"),
        (["inverse-transform", "{model}", "{wide}"], "X has 10 columns"),
        (["transform", "{model}", "{npy}", "--out", "codes.txt"], "use a .npy or .csv"),
        (["transform", "{model}", "{text}"], "text.csv: column 'b' is not numeric ('x'"),
        (["transform", "{model}", "{nan}"], "nan.csv: 1 NaN or infinite value (the first"),
        (["transform", "{model}", "{npy}", "--out", "codes.npz"], "use a .npy or .csv"),
        (["fit", "{two_arrays}", "--out", "{folder}/m.skae"], "an array named X or data"),
    ],
)
def test_errors_exit_2_with_one_line(capsys, files, argv, named):
    folder = files["folder"]
    wide, text, nan = folder / "wide.csv", folder / "text.csv", folder / "nan.csv"
    np.savetxt(wide, np.ones((3, 10)), delimiter=",")
    text.write_text("a,b\n1,x\n")
    nan.write_text("a,b\n1,2\n3,nan\n")
    two_arrays = folder / "two_arrays.npz"
    np.savez(two_arrays, first=np.ones((3, 2)), second=np.ones((3, 2)))
    written = {"wide": wide, "text": text, "nan": nan, "two_arrays": two_arrays}
    paths = {**files, **{name: str(path) for name, path in written.items()}}
    status, stdout, stderr = run(capsys, [part.format(**paths) for part in argv])
    assert status == 2 and stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("skae"), stderr
    assert "error:" in stderr and named in stderr


def test_module_transform_in_a_subprocess_prints_only_the_codes(files, reducer, X):
    # As in a user's shell: without the test suite's own TensorFlow log setting.
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    completed = subprocess.run(
        [sys.executable, "-m", "skae.cli", "transform", files["model"], files["csv"]],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""  # TensorFlow's start-up logs stay off the terminal
    np.testing.assert_array_equal(parse_csv(completed.stdout), reducer.transform(X))
