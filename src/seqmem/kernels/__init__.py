"""Memory kernels ρ of linear functionals H_t(x) = ∫_0^∞ ρ(s) x(t − s) ds
(docs/mathematics.md §1–2).

Example:
    >>> from seqmem.kernels import PowerLaw, from_spec
    >>> PowerLaw(omega=0.5).l1_norm()
    2.0
    >>> from_spec("exp(rate=3)+gammabump(k=4)").l2_norm_squared() > 1
    True
"""

from seqmem.kernels.base import Kernel, Scaled, Shifted, Sum, inner_product
from seqmem.kernels.families import (
    Airy,
    Custom,
    DampedCosine,
    DelayBox,
    Exponential,
    ExpSum,
    GammaBump,
    GaussianBump,
    PowerLaw,
)
from seqmem.kernels.spec import FAMILIES, describe_families, from_spec

__all__ = [
    "FAMILIES",
    "Airy",
    "Custom",
    "DampedCosine",
    "DelayBox",
    "ExpSum",
    "Exponential",
    "GammaBump",
    "GaussianBump",
    "Kernel",
    "PowerLaw",
    "Scaled",
    "Shifted",
    "Sum",
    "describe_families",
    "from_spec",
    "inner_product",
]
