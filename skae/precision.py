"""Whether bfloat16 arithmetic pays on this machine, for ``dtype_policy="auto"``.

bfloat16 halves the bytes a convolution moves and, on a CPU with bfloat16 instructions,
doubles the products an instruction makes; elsewhere it is emulated and slower. The one
fact of the machine that `skae.spec.resolve_spec` reads.
"""

import functools

from .backends import backend

# The processor's bfloat16 instructions, which TensorFlow's and PyTorch's CPU kernels
# (oneDNN) use: Intel's and AMD's AVX-512 extension, and Intel's AMX tiles.
_BFLOAT16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def bfloat16_native() -> bool:
    """Whether the backend computes bfloat16 natively here, so that bfloat16 pays.

    True on TensorFlow and PyTorch running on a CPU (no GPU in use) with bfloat16
    instructions, read from Linux's ``/proc/cpuinfo``; False elsewhere, where it was not
    measured. JAX's CPU convolutions ran slower in bfloat16 than in float32 on such a
    CPU (benchmarks/results/conv_precision_jax.md).
    """
    name = backend()
    if name == "jax" or not _cpu_flags() & _BFLOAT16_CPU_FLAGS:
        return False
    return not _gpu_in_use(name)


@functools.cache
def _cpu_flags() -> frozenset:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:  # not Linux
        pass
    return frozenset()


def _gpu_in_use(name: str) -> bool:
    if name == "torch":
        import torch

        return torch.cuda.is_available()
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))
