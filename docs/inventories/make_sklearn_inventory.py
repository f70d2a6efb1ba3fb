"""Write scikit-learn's Sphinx inventory from the installed package, for offline links.

intersphinx reads an ``objects.inv`` to link names such as
`sklearn.decomposition.PCA` to scikit-learn's site. The docs build has no network, so
the inventory is kept here. scikit-learn publishes its own only on its site; this
script writes the part skae's pages need from the installed package, with the URL
layout of scikit-learn's API reference (one page per public class or function under
``modules/generated/``, one page per module under ``api/``). Run it again after
upgrading scikit-learn:

    python docs/inventories/make_sklearn_inventory.py
"""

import importlib
import inspect
import zlib
from pathlib import Path

import sklearn

# The experimental estimators are documented too; importing these makes them public.
from sklearn.experimental import (  # noqa: F401
    enable_halving_search_cv,
    enable_iterative_imputer,
)

# Modules whose public names have pages of their own, beyond those sklearn.__all__ lists.
NESTED_MODULES = (
    "sklearn.base",
    "sklearn.utils",
    "sklearn.feature_extraction.image",
    "sklearn.feature_extraction.text",
    "sklearn.metrics.pairwise",
    "sklearn.utils.discovery",
    "sklearn.utils.estimator_checks",
    "sklearn.utils.validation",
)


def public_modules():
    top_level = [f"sklearn.{name}" for name in sklearn.__all__]
    names = [name for name in top_level if inspect.ismodule(_import(name))]
    # The top level last: its `clone` is documented as sklearn.base.clone.
    return [*names, *NESTED_MODULES, "sklearn"]


def _import(dotted):
    try:
        return importlib.import_module(dotted)
    except ImportError:
        return None


def exported(module):
    """The public names of a module: its ``__all__``, else what it defines itself."""
    if hasattr(module, "__all__"):
        return [name for name in module.__all__ if not name.startswith("_")]
    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_") and getattr(obj, "__module__", "") == module.__name__
    ]


def entries(module_name, documented):
    """Yield ``(name, role, uri)`` for a module and the public names it exports.

    ``documented`` holds the ids of objects already given a page under another name.
    """
    module = importlib.import_module(module_name)
    yield module_name, "module", f"api/{module_name}.html#module-{module_name}"
    for short in exported(module):
        obj = getattr(module, short, None)
        if inspect.ismodule(obj) or obj is None or id(obj) in documented:
            continue
        documented.add(id(obj))
        name = f"{module_name}.{short}"
        page = f"modules/generated/{name}.html"
        if inspect.isclass(obj):
            yield name, "class", f"{page}#{name}"
            # Inherited methods too: scikit-learn's class pages list them.
            for member in dir(obj):
                if not member.startswith("_") and callable(getattr(obj, member, None)):
                    yield f"{name}.{member}", "method", f"{page}#{name}.{member}"
        elif callable(obj):
            yield name, "function", f"{page}#{name}"


def inventory():
    seen, documented = {}, set()
    for module_name in public_modules():
        for name, role, uri in entries(module_name, documented):
            seen.setdefault(name, (role, uri))
    header = (
        "# Sphinx inventory version 2\n"
        "# Project: scikit-learn\n"
        f"# Version: {sklearn.__version__}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = "".join(
        f"{name} py:{role} 1 {uri} -\n" for name, (role, uri) in sorted(seen.items())
    )
    return header.encode() + zlib.compress(lines.encode())


if __name__ == "__main__":
    out = Path(__file__).with_name("sklearn.inv")
    out.write_bytes(inventory())
    print(f"wrote {out} (scikit-learn {sklearn.__version__})")
