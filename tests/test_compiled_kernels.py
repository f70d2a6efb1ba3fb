"""umap-learn's numba kernels are kept in numba's disk cache, compiled once per install."""

import importlib.util

import numba
from numba.core.registry import CPUDispatcher

from skae.backends import import_umap
from skae.compiled_kernels import UMAP_KERNEL_MODULES, keep_compiled


def _module_from(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_kept_kernel_is_written_to_numba_disk_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", str(cache))
    source = tmp_path / "kernels_to_keep.py"
    source.write_text("import numba\n\n@numba.njit\ndef double(x):\n    return 2 * x\n")
    module = _module_from(source)

    assert keep_compiled(module) == ["double"]
    assert keep_compiled(module) == []  # once only
    assert module.double(3) == 6
    assert list(cache.rglob("*double*.nbi")), "the compiled kernel was not cached"


def test_importing_umap_keeps_the_graph_kernels_compiled():
    umap = import_umap()
    # The fuzzy set's two kernels, compiled on every 2-D fit, are numba kernels ...
    for name in ("smooth_knn_dist", "compute_membership_strengths"):
        assert isinstance(getattr(umap.umap_, name), CPUDispatcher)
    # ... that import_umap has already kept, like every other in these modules.
    for name in UMAP_KERNEL_MODULES:
        assert keep_compiled(getattr(umap, name)) == [], name
