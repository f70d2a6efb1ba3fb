"""README's set-up commands are the ones CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [block.strip() for info, block in _fences(text) if info == "bash"]


def test_ci_runs_the_readme_test_command_verbatim():
    install_and_run, install_and_test = _bash_blocks((ROOT / "README.md").read_text())[:2]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert install_and_test in ci_lines
    assert "pytest" in install_and_test
    assert "pip install" in install_and_run and install_and_run.endswith("skae compare")


def _results_text() -> str:
    files = sorted((ROOT / "benchmarks" / "results").rglob("*"))
    suffixes = {".md", ".txt", ".csv"}
    return "\n".join(path.read_text() for path in files if path.suffix in suffixes)


def _fences(text: str) -> list[tuple[str, str]]:
    """The fenced blocks of Markdown text, as (info string, content) pairs."""
    return re.findall(r"^```(\w*)\n(.*?)^```$", text, re.S | re.M)


def _outside_code(text: str) -> str:
    return re.sub(r"^```\w*\n.*?^```$", "", text, flags=re.S | re.M)


def test_readme_tables_and_outputs_come_from_results_files():
    readme = (ROOT / "README.md").read_text()
    results = _results_text()
    table_rows = [
        line
        for line in _outside_code(readme).splitlines()
        if line.startswith("|") and not set(line) <= set("|-: ")
    ]
    assert table_rows, "README has no result tables"
    # Output blocks (fences without a language) are what a script printed.
    outputs = [content for info, content in _fences(readme) if not info]
    missing = [row for row in table_rows if row not in results]
    missing += [block for block in outputs if block.strip() not in results]
    assert not missing, "README figures that no results file holds:\n" + "\n".join(missing)
