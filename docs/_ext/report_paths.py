"""A benchmark report as a reader sees it: the reader's MNIST folder, not the project's.

The benchmark scripts write the commands and protocols they ran with, which name the
folder where this project keeps MNIST (``../shared/data/mnist`` beside a checkout, or
its absolute path). A reader has their own folder: pages show it as ``DIR``, as the
benchmarks page's appendix does, and drop the pointer to the project's data README.
Kept free of Sphinx so that the tests can check every report without building.
"""

import re

__all__ = ["for_readers"]

_DATA_README = re.compile(r"\s?\((?:the shared one, )?(?:\.\./)?shared/data/README\.md\)")
_MNIST_FOLDER = re.compile(r"(?:\.\./|/[\w.-]+(?:/[\w.-]+)*/)?shared/data/mnist\b/?")


def for_readers(text: str) -> str:
    """``text`` with the project's MNIST folder shown as ``DIR``."""
    return _MNIST_FOLDER.sub("DIR", _DATA_README.sub("", text))
