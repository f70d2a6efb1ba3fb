"""The installed ``skae`` console script runs (the entry point in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

from skae import __version__


def test_installed_console_script_runs():
    # The venv's own script, beside its interpreter; else the one on PATH.
    beside = Path(sys.executable).with_name("skae")
    script = str(beside) if beside.exists() else shutil.which("skae")
    assert script is not None, "the skae console script is not installed"
    result = subprocess.run(
        [script, "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"skae {__version__}"
