"""seqmem: the theory of memory in recurrent models, made computable.

Built on Z. Li, J. Han, W. E, Q. Li, "On the Curse of Memory in Recurrent Neural
Networks: Approximation and Optimization Analysis", ICLR 2021 (arXiv:2009.07799).
"""

from seqmem import _jax  # noqa: F401  (enables JAX float64 before anything else runs)
from seqmem.errors import SeqmemError, SeqmemValueError
from seqmem.kernels import Kernel, from_spec
from seqmem.rnn import LinearRNN
from seqmem.tanh_rnn import TanhRNN

__version__ = "0.1.0"

__all__ = [
    "Kernel",
    "LinearRNN",
    "SeqmemError",
    "SeqmemValueError",
    "TanhRNN",
    "__version__",
    "from_spec",
]
