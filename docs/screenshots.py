"""Screenshots of the built documentation, as a reader's browser shows it.

Serves the built HTML on localhost and has headless Chromium (Debian's ``chromium``)
take a screenshot of each page at a laptop's width, so that what a page looks like
(figures in place, tables that fit, nothing clipped) can be checked by eye. Fails when
a page is missing from the build or comes out blank.

Run: python docs/screenshots.py docs/_build/html --out docs/_build/screenshots
"""

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import matplotlib.image

# What a new user reads first, then one page of each kind.
PAGES = (
    "index.html",
    "install.html",
    "quickstart.html",
    "user_guide/index.html",
    "user_guide/choosing.html",
    "user_guide/maps.html",
    "api.html",
    "generated/skae.AutoencoderReducer.html",
    "auto_examples/index.html",
    "benchmarks.html",
)
WIDTH, HEIGHT = 1280, 2400
# As the machine's notes advise for a closed network: no background connections.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def serve(root: Path) -> http.server.ThreadingHTTPServer:
    """A quiet HTTP server for ``root`` on a free localhost port, in a thread."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def screenshot(chromium: str, url: str, path: Path):
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--screenshot={path}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def is_blank(path: Path) -> bool:
    """Whether the picture is one flat colour (a page that did not render)."""
    pixels = matplotlib.image.imread(path)
    return float(pixels[..., :3].std()) < 1e-3


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built HTML (Sphinx's -b html)")
    parser.add_argument("--out", type=Path, default=Path("docs/_build/screenshots"))
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium")
    if chromium is None:
        parser.error("Debian's chromium is not installed (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    server = serve(args.html)
    failures = []
    try:
        for page in args.pages.split(","):
            if not (args.html / page).is_file():
                failures.append(f"{page}: not in the build")
                continue
            path = args.out / (page.replace("/", "__").removesuffix(".html") + ".png")
            screenshot(chromium, f"http://127.0.0.1:{server.server_port}/{page}", path)
            if is_blank(path):
                failures.append(f"{page}: blank screenshot {path}")
            else:
                print(f"{page} -> {path}")
    finally:
        server.shutdown()
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
