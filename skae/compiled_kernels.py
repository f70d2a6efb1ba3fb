"""Keeping umap-learn's compiled kernels on disk, so one process compiles them.

umap-learn's fuzzy neighbour graph (which ``neighbor_loss`` trains on) and UMAP
itself (a row of ``skae compare``) run on functions that numba compiles on first call,
and most of them are not in numba's disk cache: every new Python process compiled them
again. On the digits the graph took 3.09 s in a new process, 0.05 s once its two kernels
were cached, and a UMAP fit 7.36 s against 2.90 s
(benchmarks/results/compiled_kernels.md).

numba keeps the cache beside the library's source when it can write there, otherwise in
the user's cache folder (or ``NUMBA_CACHE_DIR``); where it can write nowhere, the kernels
compile in memory as before.
"""

from types import ModuleType

# umap-learn's modules of numba kernels that a graph or a UMAP fit calls.
UMAP_KERNEL_MODULES = ("umap_", "layouts", "spectral", "utils", "sparse", "distances")


def keep_compiled(module: ModuleType) -> list[str]:
    """Turn on numba's disk cache for ``module``'s kernels compiled without it.

    Returns the names of the kernels it turned it on for (none the second time).
    """
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    kept = []
    for name, kernel in vars(module).items():
        # numba has no public flag for "cached": a kernel without is given a NullCache
        # (read with getattr, so that a numba without the attribute leaves it alone).
        cache = getattr(kernel, "_cache", None)
        if isinstance(kernel, CPUDispatcher) and isinstance(cache, NullCache):
            try:
                kernel.enable_caching()
            except RuntimeError:  # "no locator available": no folder to write to
                continue
            kept.append(name)
    return kept


def keep_umap_compiled(umap: ModuleType) -> None:
    """`keep_compiled` for each of umap-learn's kernel modules that it has."""
    for name in UMAP_KERNEL_MODULES:
        module = getattr(umap, name, None)
        if isinstance(module, ModuleType):
            keep_compiled(module)
