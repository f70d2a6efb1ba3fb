"""The comparison's result and its report: `Comparison`, written as CSV and Markdown.

`MethodResult` is one method's measurements; `Comparison` holds one per method with
the data they were measured on. It formats them as a Markdown table
(`Comparison.to_markdown`), and writes ``results.csv``, the figures of
`ComparisonDisplay` and ``report.md``, which states the protocol and the machine the
times were measured on (`Comparison.write`).
"""

import csv
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator

from ..datasets import ComparisonData
from .display import ComparisonDisplay, drawable_kinds
from .methods import CV_FOLDS, N_NEIGHBORS, WARM_UP_ROWS

# The columns of results.csv, in order.
COLUMNS = (
    "method",
    "mse",
    "trustworthiness",
    "continuity",
    "knn_accuracy",
    "fit_seconds",
    "transform_seconds_per_1000_rows",
    "note",
)
NO_LABELS_NOTE = "none, as the data have no labels (give them with --labels)"


@dataclass
class MethodResult:
    """One method's row of the comparison, and what the figures need.

    Attributes
    ----------
    method : str
        Name, from `METHODS`.
    mse : float or None
        Mean squared reconstruction error on the test rows; None without an inverse.
    trustworthiness, continuity : float or None
        Of the test rows' embedding against the test rows (k = `N_NEIGHBORS`).
    knn_accuracy : float or None
        k-NN accuracy in the embedding: trained on the training rows, scored on the test
        rows; for t-SNE, cross-validated on the whole embedding (see
        ``knn_cross_validated``).
    fit_seconds : float or None
        Wall time of ``fit_transform`` on the training rows (all rows for t-SNE).
    transform_seconds_per_1000_rows : float or None
        Wall time of ``transform`` on the test rows, per 1,000 rows; None for t-SNE.
    note : str
        What differs from the protocol, or why the method was skipped.
    skipped : bool
        True when the method did not run; only ``note`` is set then.
    knn_cross_validated : bool
        True when ``knn_accuracy`` is cross-validated (t-SNE).
    estimator : estimator or None
        The fitted estimator.
    test_embedding : ndarray of shape (n_test, n_components) or None
        The test rows' embedding.
    test_reconstruction : ndarray of shape (n_test, n_features) or None
        The test rows reconstructed from their embedding.
    """

    method: str
    mse: float | None = None
    trustworthiness: float | None = None
    continuity: float | None = None
    knn_accuracy: float | None = None
    fit_seconds: float | None = None
    transform_seconds_per_1000_rows: float | None = None
    note: str = ""
    skipped: bool = False
    knn_cross_validated: bool = False
    estimator: BaseEstimator | None = field(default=None, repr=False)
    test_embedding: np.ndarray | None = field(default=None, repr=False)
    test_reconstruction: np.ndarray | None = field(default=None, repr=False)

    def as_row(self) -> dict:
        """The table's columns (`COLUMNS`) of this result."""
        return {column: getattr(self, column) for column in COLUMNS}


@dataclass
class Comparison:
    """The result of `compare`: one row per method, and what the figures need.

    Attributes
    ----------
    results : list of MethodResult
        One per method, in the order asked for.
    data : ComparisonData
        The training and held-out rows.
    n_components : int
        Size of the embeddings.
    random_state : int
        Seed of every method.
    """

    results: list[MethodResult]
    data: ComparisonData
    n_components: int
    random_state: int

    def result(self, method: str) -> MethodResult:
        """The result of one method, by name."""
        for result in self.results:
            if result.method == method:
                return result
        raise KeyError(f"{method!r} was not compared; compared: {self._method_names()}.")

    def _method_names(self) -> str:
        return ", ".join(result.method for result in self.results)

    def to_markdown(self) -> str:
        """The table as Markdown, columns aligned for a terminal, then the notes."""
        header = [
            "method",
            "held-out MSE",
            f"trustworthiness (k={N_NEIGHBORS})",
            f"continuity (k={N_NEIGHBORS})",
            f"{N_NEIGHBORS}-NN accuracy",
            "fit s",
            "transform s / 1,000 rows",
        ]
        cells = [
            [_format_cells(result)[name] for name in COLUMNS[:-1]]
            for result in self.results
        ]
        widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
        # Names left-aligned, numbers right-aligned, in the text as in the rendering.
        rule = ["-" * widths[0]] + ["-" * (width - 1) + ":" for width in widths[1:]]

        def line(row):
            padded = [row[0].ljust(widths[0])]
            padded += [
                cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
            ]
            return "| " + " | ".join(padded) + " |"

        lines = [line(header), line(rule), *(line(row) for row in cells)]
        notes = [
            f"- {result.method}: {result.note}" for result in self.results if result.note
        ]
        if self.data.y_test is None:
            notes.insert(0, f"- {N_NEIGHBORS}-NN accuracy: {NO_LABELS_NOTE}")
        if notes:
            lines += ["", "Notes:", "", *notes]
        return "\n".join(lines)

    def write(
        self, out_dir: str | os.PathLike, *, command: str | None = None
    ) -> list[Path]:
        """Write ``results.csv``, the figures and ``report.md`` into a folder.

        ``embeddings.png`` (the test rows' 2-D embeddings side by side) is written only
        for 2 components; ``reconstructions.png`` only when a method has an inverse.

        Parameters
        ----------
        out_dir : str or path-like
            Folder to write into; created if needed. Existing files are replaced.
        command : str, default=None
            The command that produced the comparison, quoted in the report.

        Returns
        -------
        paths : list of Path
            The files written.
        """
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = [self._write_csv(out_dir / "results.csv")]
        figure_names = []
        for kind in drawable_kinds(self):
            name = f"{kind}.png"
            display = ComparisonDisplay.from_comparison(self, kind=kind)
            display.figure_.savefig(out_dir / name, dpi=110)
            figure_names.append(name)
            paths.append(out_dir / name)
        report = out_dir / "report.md"
        report.write_text(self._report(figure_names, command), encoding="utf-8")
        paths.append(report)
        return paths

    def _write_csv(self, path: Path) -> Path:
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=COLUMNS)
            writer.writeheader()
            for result in self.results:
                row = result.as_row()
                writer.writerow(
                    {key: "" if value is None else value for key, value in row.items()}
                )
        return path

    def _report(self, figure_names: list[str], command: str | None) -> str:
        n_test = len(self.data.X_test)
        figure_captions = {
            "embeddings.png": (
                f"2-D embeddings of the {n_test:,} held-out test rows"
                + ("" if self.data.y_test is None else ", coloured by label")
            ),
            "reconstructions.png": "Held-out test rows and their reconstructions",
        }
        sections = [
            f"# Reducer comparison: {self.n_components} components",
            self.data.description,
            "## Results",
            self.to_markdown(),
        ]
        if figure_names:
            sections.append("## Figures")
            sections += [f"![{figure_captions[name]}]({name})" for name in figure_names]
        sections += ["## Protocol", self._protocol(command)]
        return "\n\n".join(section for section in sections if section) + "\n"

    def _protocol(self, command: str | None) -> str:
        n_train, n_test = len(self.data.X_train), len(self.data.X_test)
        estimators = [
            # On one line: estimators' reprs wrap at 80 characters.
            f"- {result.method}: `{' '.join(repr(result.estimator).split())}`"
            for result in self.results
            if result.estimator is not None
        ]
        knn_protocol = (
            f"- {N_NEIGHBORS}-NN accuracy: a {N_NEIGHBORS}-nearest-neighbours classifier "
            "trained on the training rows' embedding, scored on the test rows' "
            "(`skae.metrics.knn_accuracy`); for t-SNE, mean accuracy of "
            f"{CV_FOLDS}-fold stratified cross-validation on the embedding of all rows "
            "(`skae.metrics.knn_cv_accuracy`)."
        )
        if self.data.y_test is None:
            knn_protocol = f"- {N_NEIGHBORS}-NN accuracy: {NO_LABELS_NOTE}."
        lines = [
            f"- Data: {self.data.description or 'arrays passed to compare().'} "
            f"Every method is fitted on the {n_train:,} training rows (t-SNE: on all "
            f"{n_train + n_test:,} rows) with random_state={self.random_state}.",
            "- Held-out MSE: mean squared error per value between the test rows and "
            "`inverse_transform(transform(test rows))` (`skae.metrics."
            "reconstruction_error`); none without an inverse.",
            f"- Trustworthiness and continuity (k={N_NEIGHBORS}): between the test rows "
            "and their embedding (`skae.metrics.trustworthiness`, `continuity`); 1 is "
            "best.",
            knn_protocol,
            "- Fit s: wall time of `fit_transform` on the training rows (all rows for "
            "t-SNE), the libraries imported before any fit. Transform s / 1,000 rows: "
            "wall time of `transform` on the test rows, "
            f"per 1,000 rows, after a warm-up call on {WARM_UP_ROWS} rows (the shortest "
            f"of up to 5 calls within 0.5 s). {_machine()}",
            "- Estimators:",
            *(f"  {line}" for line in estimators),
        ]
        if command:
            lines.append(f"- Command: `{command}`")
        return "\n".join(lines)


def _format_cells(result: MethodResult) -> dict:
    """The table's cells of one result, as text; "-" where there is no value."""
    formats = {
        "mse": ".4f",
        "trustworthiness": ".3f",
        "continuity": ".3f",
        "knn_accuracy": ".3f",
        "fit_seconds": ".3g",
        "transform_seconds_per_1000_rows": ".3g",
    }
    cells = {"method": result.method}
    for name, number_format in formats.items():
        value = getattr(result, name)
        cells[name] = "-" if value is None else format(value, number_format)
    if result.knn_cross_validated:
        cells["knn_accuracy"] += f" ({CV_FOLDS}-fold CV)"
    if result.skipped:
        cells["method"] += " (skipped)"
    return cells


def _machine() -> str:
    """The machine and library versions the times were measured with."""
    versions = []
    for package in ("scikit-learn", "tensorflow", "keras", "umap-learn"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return (
        f"Measured on {platform.machine()} with {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}, {', '.join(versions)}."
    )
