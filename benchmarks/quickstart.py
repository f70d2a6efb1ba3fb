"""Run examples/quickstart.py and save what it prints, for README and the quick start.

Run: python benchmarks/quickstart.py   (writes benchmarks/results/quickstart_digits.txt)
"""

import contextlib
import io
import os
import runpy
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "quickstart_digits.txt"


def main():
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(printed.getvalue())
    print(printed.getvalue(), end="")


if __name__ == "__main__":
    main()
