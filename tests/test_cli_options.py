"""``skae fit``'s options come from the estimator: its constraints, defaults and docstring.

Parsing and help are checked on the parser alone; one tiny fit (a hidden layer of 4, one
epoch) checks that parsed options reach the saved model.
"""

import argparse
from numbers import Real

import numpy as np
import pytest

from skae import AutoencoderReducer, cli
from skae._sklearn import Interval
from skae.cli_options import parameter_descriptions, params_from_args
from skae.spec import AUTO_SETTINGS

CONSTRAINTS = AutoencoderReducer._parameter_constraints
# Callables cannot come from a shell; verbose (--quiet) and warm_start the command sets.
NOT_OFFERED = {"encoder", "decoder", "verbose", "warm_start"}


def fit_parser() -> argparse.ArgumentParser:
    (commands,) = (
        action
        for action in cli.build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    return commands.choices["fit"]


def options_of(parser) -> dict[str, argparse.Action]:
    return {
        option: action for action in parser._actions for option in action.option_strings
    }


def option(name: str) -> str:
    return "--" + name.replace("_", "-")


def test_every_parameter_a_shell_can_give_has_an_option():
    options = options_of(fit_parser())
    for name in CONSTRAINTS:
        if name in NOT_OFFERED:
            assert option(name) not in options, name
        else:
            assert options[option(name)].dest == name
    # The command's own options stay.
    assert {"--out", "--quiet", "--help"} <= set(options)


def test_every_option_has_its_docstring_sentence_and_default():
    descriptions = parameter_descriptions()
    assert descriptions["n_components"] == "Size of the code."
    assert descriptions["encoder"] == descriptions["decoder"] != ""  # "a, b : type"
    assert set(CONSTRAINTS) <= set(descriptions)
    options = options_of(fit_parser())
    for name in set(CONSTRAINTS) - NOT_OFFERED:
        help_text = options[option(name)].help
        assert descriptions[name] and "Default: " in help_text, name
        if "`" not in descriptions[name]:  # markup becomes plain text or --options
            assert help_text.startswith(descriptions[name]), name


def test_a_parameter_added_to_the_constraints_becomes_an_option(monkeypatch):
    added = {**CONSTRAINTS, "dropout": [Interval(Real, 0, 1, closed="left")]}
    monkeypatch.setattr(AutoencoderReducer, "_parameter_constraints", added)
    parser = fit_parser()
    assert "--dropout" in options_of(parser)
    args = parser.parse_args(["rows.csv", "--out", "m.skae", "--dropout", "0.5"])
    assert params_from_args(args) == {"dropout": 0.5}


@pytest.mark.parametrize(
    "argv, params",
    [
        ([], {}),  # left-out options keep the estimator's defaults
        (
            ["--early-stopping", "--variational"],
            {"early_stopping": True, "variational": True},
        ),
        (["--no-early-stopping"], {"early_stopping": False}),
        (["--hidden-layer-sizes", ""], {"hidden_layer_sizes": ()}),
        (["--hidden-layer-sizes", "16,8"], {"hidden_layer_sizes": (16, 8)}),
        (["--hidden-layer-sizes", "auto"], {"hidden_layer_sizes": "auto"}),
        (
            ["--conv-filters", "4,8", "--input-shape", "8,-1,1"],
            {"conv_filters": (4, 8), "input_shape": (8, -1, 1)},
        ),
        (
            ["--learning-rate", "3e-4", "--epochs", "auto"],
            {"learning_rate": 3e-4, "epochs": "auto"},
        ),
        (
            ["--noise", "0", "--n-iter-no-change", "5"],
            {"noise": 0.0, "n_iter_no_change": 5},
        ),
        (
            ["--code-activation", "tanh", "--random-state", "7"],
            {"code_activation": "tanh", "random_state": 7},
        ),
        # "none" gives None where a parameter takes it, which leaving it out cannot
        (
            ["--neighbor-loss", "none", "--pca-components", "none"],
            {"neighbor_loss": None, "pca_components": None},
        ),
        (
            ["--neighbor-loss", "umap", "--pca-components", "20"],
            {"neighbor_loss": "umap", "pca_components": 20},
        ),
    ],
)
def test_options_parse_to_the_estimators_params(argv, params):
    args = fit_parser().parse_args(["rows.csv", "--out", "m.skae", *argv])
    parsed = params_from_args(args)
    assert parsed == params
    assert all(type(parsed[name]) is type(value) for name, value in params.items())
    AutoencoderReducer(**parsed)._validate_params()  # the estimator accepts them


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--learning-rate", "0"], f"{CONSTRAINTS['learning_rate'][0]} or 'auto'"),
        (["--epochs", "2.5"], str(CONSTRAINTS["epochs"][0])),
        (["--validation-fraction", "1"], str(CONSTRAINTS["validation_fraction"][0])),
        (["--n-components", "0"], str(CONSTRAINTS["n_components"][0])),
        (["--loss", "mae"], "invalid choice: 'mae'"),
        (["--hidden-layer-sizes", "8,0"], "comma-separated positive ints or 'auto'"),
        (["--input-shape", "28,x,1"], "comma-separated ints"),
        (["--random-state", "seed"], "expected an int"),
        (["--neighbor-loss", "tsne"], "'auto' or 'infonce' or 'umap' or 'none'"),
        (["--n-components", "none"], str(CONSTRAINTS["n_components"][0])),
    ],
)
def test_a_bad_value_is_a_usage_error_naming_what_was_expected(capsys, argv, expected):
    status = cli.main(["fit", "rows.csv", "--out", "m.skae", *argv])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("skae fit: error:")
    assert f"argument {argv[0]}" in captured.err and expected in captured.err
    assert f"got {argv[1]!r}" in captured.err or "invalid choice" in captured.err


def test_help_spells_out_the_auto_defaults(capsys):
    assert cli.main(["fit", "--help"]) == 0  # every help text formats ('%' escaped)
    shown = " ".join(capsys.readouterr().out.split())
    options = options_of(fit_parser())
    learning_rate = options["--learning-rate"].help
    assert learning_rate.startswith(parameter_descriptions()["learning_rate"])
    assert "Default: auto (" in learning_rate and learning_rate in shown
    for settings in AUTO_SETTINGS.values():
        if "learning_rate" in settings:
            assert f"{settings['learning_rate']:g} for " in learning_rate
    for name in ("epochs", "n_iter_no_change", "noise", "batch_size"):
        help_text = options[option(name)].help
        assert all(
            f"{s[name]:g} for " in help_text for s in AUTO_SETTINGS.values() if name in s
        )
    assert "1024 for neighbour maps" in options["--batch-size"].help
    assert "[0, 1]" in options["--noise"].help  # auto noise is for data in [0, 1] only
    # auto bfloat16 is for machines that compute it natively only
    assert "mixed_bfloat16 for conv" in options["--dtype-policy"].help
    assert "not compute bfloat16 natively" in options["--dtype-policy"].help
    assert "256,128,64 for dense" in options["--hidden-layer-sizes"].help
    # auto principal components: 50 for dense maps of wider rows, else none
    pca = options["--pca-components"].help
    assert "50 for dense InfoNCE maps" in pca and "none for rows of no more" in pca
    assert '"none" for None' in options["--neighbor-loss"].help
    assert options["--neighbor-loss"].metavar == "{auto,infonce,umap,none}"


def test_parsed_options_reach_the_saved_model(tmp_path, capsys):
    rows = tmp_path / "rows.npy"
    np.save(rows, np.random.default_rng(0).random((60, 6)))
    model = tmp_path / "m.skae"
    argv = ["fit", str(rows), "--out", str(model), "--hidden-layer-sizes", "4"]
    argv += ["--epochs", "1", "--code-activation", "tanh", "--loss", "mse", "--quiet"]
    argv += ["--optimizer", "sgd", "--batch-size", "16", "--beta", "2"]
    assert cli.main(argv) == 0, capsys.readouterr().err
    params = AutoencoderReducer.load(model).get_params()
    expected = {"code_activation": "tanh", "loss": "mse", "optimizer": "sgd"}
    expected.update(hidden_layer_sizes=(4,), epochs=1, batch_size=16, beta=2.0)
    assert {name: params[name] for name in expected} == expected
    assert params["learning_rate"] == "auto" and params["verbose"] == 0
