"""The ``skae`` command line.

``skae compare`` compares `AutoencoderReducer` with PCA, KernelPCA, t-SNE and UMAP on
digits, MNIST, scikit-learn's breast cancer or wine tables, or the rows of a file
(``--data``), prints the table and writes it with figures to a folder. The work is
done by `skae.compare` on the splits of `skae.datasets`; this module parses arguments
and prints.

``skae fit``, ``transform``, ``inverse-transform``, ``sample`` and ``info`` use models
from the shell: data are ``.npy``, ``.npz`` or ``.csv`` files, results ``.npy`` or
``.csv`` files (read and written by `skae.shell_io`), models are files written by
`AutoencoderReducer.save`.

Exit status: 0 on success, 2 (with one line on stderr) for bad arguments or missing data.
"""

import os

# Quiet TensorFlow's C++ logs; read when TensorFlow is imported. (The start-up lines that
# TensorFlow 2.20+ logs before absl is initialised also need _import_tensorflow_quietly.)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager, redirect_stdout, suppress  # noqa: E402

from . import __version__  # noqa: E402
from .backends import is_tensorflow  # noqa: E402
from .cli_options import add_param_options, params_from_args  # noqa: E402
from .compare import METHODS, compare, print_progress, resolve_methods  # noqa: E402
from .datasets import (  # noqa: E402
    DATASETS,
    MNIST_N_TEST,
    MNIST_N_TRAIN,
    load_comparison_data,
)
from .shell_io import (  # noqa: E402
    check_array_path,
    describe_reducer,
    format_description,
    read_array,
    write_array,
)
from .spec import AUTO_SETTINGS  # noqa: E402

USAGE_ERROR = 2

# Methods whose libraries import TensorFlow (umap-learn imports it for ParametricUMAP).
_TENSORFLOW_METHODS = frozenset({"autoencoder", "plain_autoencoder", "umap"})


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, without the usage block."""

    def error(self, message):
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _method_list(text: str) -> tuple[str, ...]:
    try:
        return resolve_methods(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    """The ``skae`` parser, one subcommand per task."""
    parser = _Parser(
        prog="skae", description="skae: a scikit-learn compatible autoencoder."
    )
    parser.add_argument("--version", action="version", version=f"skae {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_compare(commands)
    _add_fit(commands)
    _add_transform(commands)
    _add_inverse_transform(commands)
    _add_sample(commands)
    _add_info(commands)
    return parser


def _add_compare(commands) -> None:
    parser = commands.add_parser(
        "compare",
        help="compare the autoencoder with PCA, KernelPCA, t-SNE and UMAP",
        description=(
            "Fit each method on training rows and measure it on held-out test rows: "
            "reconstruction MSE, trustworthiness, continuity, 5-NN accuracy, fit and "
            "transform time. Prints the table; writes results.csv, report.md and figures "
            "to --out."
        ),
        epilog=(
            "Splits: digits (1,797 8x8 images scaled to [0, 1]), breast_cancer and wine "
            "(scikit-learn's tables, unscaled) and --data rows are split by a "
            "train_test_split seeded with --random-state, stratified by the labels when "
            "every class has two rows, 75/25 by default, or --n-train/--n-test rows "
            "(a quicker run). MNIST (the 10,000-image test file) trains on its first "
            f"--n-train (default {MNIST_N_TRAIN:,}) images and evaluates on "
            f"its last --n-test (default {MNIST_N_TEST:,}). "
            "--data: a .csv file of numbers (a first row of column names is detected), "
            "a .npy array, or a .npz archive with the rows as its array X or data (or "
            "its only array) and the labels as y, labels or target. --labels: the name "
            "of a CSV column (removed from the features) or of an .npz array, or a file "
            "of one label per row (.txt; .csv, with a header when the labels are not "
            "numbers; .npy). Without labels the 5-NN accuracy is left empty."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset", choices=DATASETS, help="a named dataset (default: digits)"
    )
    source.add_argument(
        "--data", metavar="FILE", help="your own rows: .csv, .npy or .npz (see below)"
    )
    parser.add_argument(
        "--labels",
        metavar="COLUMN_OR_FILE",
        help="with --data: the labels' column (or .npz array), or a file of labels",
    )
    parser.add_argument(
        "--data-dir",
        help="folder with the MNIST IDX files (t10k-*-idx*-ubyte.gz); without it, "
        "Keras' downloader is tried",
    )
    parser.add_argument(
        "--methods",
        type=_method_list,
        default=METHODS,
        help=f"comma-separated, from {','.join(METHODS)} (default: all)",
    )
    parser.add_argument("--n-components", type=_positive_int, default=2, help="default: 2")
    parser.add_argument("--out", default="skae-compare", help="default: skae-compare")
    parser.add_argument("--random-state", type=int, default=0, help="default: 0")
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        help="autoencoder epochs (default: its own, "
        f"{AUTO_SETTINGS['dense']['epochs']} for dense)",
    )
    parser.add_argument("--n-train", type=_positive_int, help="training rows (see below)")
    parser.add_argument("--n-test", type=_positive_int, help="held-out test rows")
    parser.add_argument(
        "--verbose", action="store_true", help="show Keras' progress bar while training"
    )
    parser.set_defaults(run=_run_compare)


def _run_compare(args, command: str) -> int:
    if args.labels is not None and args.data is None:
        return _fail("--labels needs --data FILE (the bundled datasets have their own)")
    downloads_mnist = args.dataset == "mnist" and args.data_dir is None  # through Keras
    if downloads_mnist or _TENSORFLOW_METHODS.intersection(args.methods):
        _import_tensorflow_quietly()
    try:
        data = load_comparison_data(
            args.dataset,
            data_file=args.data,
            labels=args.labels,
            data_dir=args.data_dir,
            n_train=args.n_train,
            n_test=args.n_test,
            random_state=args.random_state,
        )
    except (FileNotFoundError, ValueError) as error:
        hint = " On the command line: --data-dir FOLDER." if downloads_mnist else ""
        return _fail(f"{error}{hint}")
    n_features = data.X_train.shape[1]
    if args.n_components > n_features:
        return _fail(
            f"--n-components {args.n_components} exceeds the {n_features} features"
        )
    autoencoder_params = {"verbose": 1 if args.verbose else 0}
    if args.epochs is not None:
        autoencoder_params["epochs"] = args.epochs
    start = time.perf_counter()
    comparison = compare(
        data.X_train,
        data.X_test,
        data.y_train,
        data.y_test,
        methods=args.methods,
        n_components=args.n_components,
        random_state=args.random_state,
        image_shape=data.image_shape,
        description=data.description,
        autoencoder_params=autoencoder_params,
        progress=print_progress,
    )
    paths = comparison.write(args.out, command=command)
    print(comparison.to_markdown())
    print_progress(
        f"finished in {time.perf_counter() - start:.1f} s; wrote "
        f"{', '.join(path.name for path in paths)} to {args.out}"
    )
    return 0


# ------------------------------------------------------------ models from the shell

_DATA_HELP = (
    "a .npy file, a .npz file (its array X or data, or its only array), or a .csv file "
    "of numbers separated by commas; a first row of column names is detected and skipped"
)
_OUT_HELP = "write to FILE (.npy or .csv, by extension) instead of CSV on stdout"
_SHELL_EPILOG = (
    "Without --out, results are printed as CSV without a header, at full precision "
    "(17 significant digits), so parsed values equal the Python API's exactly."
)


def _array_path(text: str) -> str:
    try:
        return check_array_path(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# Parameters the command sets itself: verbose by --quiet; every fit starts afresh.
_SET_BY_FIT = ("verbose", "warm_start")


def _add_fit(commands) -> None:
    parser = commands.add_parser(
        "fit",
        help="train an autoencoder on a data file and save it",
        description="Fit AutoencoderReducer on DATA and save it to --out (a file that "
        "`skae transform` or AutoencoderReducer.load reads). Each option is the "
        "estimator's parameter of the same name; options left out keep the estimator's "
        "defaults.",
    )
    parser.add_argument("data", metavar="DATA", help=_DATA_HELP)
    parser.add_argument(
        "--out", required=True, metavar="MODEL", help="the model file to write (*.skae)"
    )
    add_param_options(parser, exclude=_SET_BY_FIT)
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar (it goes to stderr)"
    )
    parser.set_defaults(run=_run_fit)


def _run_fit(args, command: str) -> int:
    model_folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(model_folder):  # before training, not after
        raise _CommandError(f"--out {args.out}: no such folder {model_folder}")
    X = _read_data(args.data)
    _import_tensorflow_quietly()
    from .estimator import AutoencoderReducer

    reducer = AutoencoderReducer(**params_from_args(args), verbose=0 if args.quiet else 1)
    try:
        # Keras prints its progress bar to stdout; stdout is kept for results.
        with redirect_stdout(sys.stderr):
            reducer.fit(X)
        reducer.set_params(verbose=0)  # the saved model stays quiet when refitted
        reducer.save(args.out)
    except (ValueError, OSError) as error:
        raise _CommandError(error) from None
    history = reducer.history_
    validation = (
        f", val_loss {history['val_loss'][-1]:.6g}" if history.get("val_loss") else ""
    )
    print(
        f"skae: trained {reducer.n_iter_} epochs on {X.shape[0]} rows x {X.shape[1]} "
        f"features, final loss {history['loss'][-1]:.6g}{validation}; wrote {args.out}",
        file=sys.stderr,
    )
    return 0


def _add_model_argument(parser) -> None:
    parser.add_argument("model", metavar="MODEL", help="a model file from `skae fit`")


def _add_out_argument(parser) -> None:
    parser.add_argument("--out", type=_array_path, metavar="FILE", help=_OUT_HELP)


def _add_transform(commands) -> None:
    parser = commands.add_parser(
        "transform",
        help="encode rows of a data file into codes",
        description="Encode each row of DATA with MODEL: n_components values per row.",
        epilog=_SHELL_EPILOG,
    )
    _add_model_argument(parser)
    parser.add_argument("data", metavar="DATA", help=_DATA_HELP)
    _add_out_argument(parser)
    parser.set_defaults(run=_run_transform, method="transform")


def _add_inverse_transform(commands) -> None:
    parser = commands.add_parser(
        "inverse-transform",
        help="decode codes back to rows",
        description="Decode each row of CODES (n_components columns, as written by "
        "`skae transform`) with MODEL, back to rows in the data's units.",
        epilog=_SHELL_EPILOG,
    )
    _add_model_argument(parser)
    parser.add_argument("data", metavar="CODES", help=_DATA_HELP)
    _add_out_argument(parser)
    parser.set_defaults(run=_run_transform, method="inverse_transform")


def _run_transform(args, command: str) -> int:
    reducer = _load_reducer(args.model)
    X = _read_data(args.data)
    try:
        result = getattr(reducer, args.method)(X)
    except ValueError as error:  # the estimator's own message, for example X's width
        raise _CommandError(f"{args.data}: {error}") from None
    return _write_result(result, args.out)


def _add_sample(commands) -> None:
    parser = commands.add_parser(
        "sample",
        help="generate new rows from a variational model",
        description="Decode N draws from the standard normal prior of MODEL, which must "
        "have been fitted with --variational.",
        epilog=_SHELL_EPILOG,
    )
    _add_model_argument(parser)
    parser.add_argument(
        "-n",
        "--n-samples",
        type=_positive_int,
        required=True,
        metavar="N",
        help="rows to generate",
    )
    parser.add_argument(
        "--random-state", type=int, metavar="S", help="seed, for repeatable draws"
    )
    _add_out_argument(parser)
    parser.set_defaults(run=_run_sample)


def _run_sample(args, command: str) -> int:
    reducer = _load_reducer(args.model)
    try:
        sample = reducer.sample  # only variational reducers have it
    except AttributeError as error:
        reason = error.__cause__ or error  # available_if keeps the reason as the cause
        raise _CommandError(
            f"{args.model}: {reason} Fit it with `skae fit --variational`."
        ) from None
    rows = sample(args.n_samples, random_state=args.random_state)
    return _write_result(rows, args.out)


def _add_info(commands) -> None:
    parser = commands.add_parser(
        "info",
        help="show a model's parameters, layers and training history",
        description="Print MODEL's parameters, the layers of its encoder and decoder, and "
        "its training history (epochs, first and last losses).",
    )
    _add_model_argument(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON instead (with the whole per-epoch history)",
    )
    parser.set_defaults(run=_run_info)


def _run_info(args, command: str) -> int:
    reducer = _load_reducer(args.model)
    description = describe_reducer(reducer)
    if args.json:
        print(json.dumps({"path": args.model, **description}, indent=2))
    else:
        print(format_description(description, args.model))
    return 0


class _CommandError(Exception):
    """A failure to report on one line of stderr, with exit status 2."""


def _read_data(path: str):
    try:
        return read_array(path)
    except (OSError, ValueError) as error:
        raise _CommandError(error) from None


def _load_reducer(path: str):
    _import_tensorflow_quietly()
    from .estimator import AutoencoderReducer

    try:
        return AutoencoderReducer.load(path)
    except FileNotFoundError:
        raise _CommandError(f"{path}: no such model file") from None
    except (OSError, ValueError) as error:
        raise _CommandError(error) from None


def _write_result(array, out: str | None) -> int:
    try:
        write_array(array, out, sys.stdout)
    except OSError as error:
        raise _CommandError(error) from None
    return 0


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with the process's native stderr sent to /dev/null.

    TensorFlow 2.20+ logs its start-up (oneDNN, CUDA) through absl before absl is
    initialised, and such messages ignore TF_CPP_MIN_LOG_LEVEL. Other exceptions
    propagate after stderr is restored, so their tracebacks stay visible.
    """
    if not is_tensorflow():  # other backends never import it
        return
    # A missing TensorFlow is reported by the method that needs it, with stderr restored.
    with _native_stderr_silenced(), suppress(ImportError):
        import tensorflow  # noqa: F401


@contextmanager
def _native_stderr_silenced():
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)


def _fail(error) -> int:
    message = " ".join(str(error).split())  # one line, even for multi-line messages
    print(f"skae: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def main(argv: list[str] | None = None) -> int:
    """Run the ``skae`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 on success, 2 for bad arguments, missing or bad files, or data the model
        refuses.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse exits on errors, --help and --version
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    try:
        return args.run(args, command=shlex.join(["skae", *argv]))
    except _CommandError as error:
        return _fail(error)


if __name__ == "__main__":
    raise SystemExit(main())
