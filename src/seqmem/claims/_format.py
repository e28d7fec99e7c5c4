"""How the claims print their numbers and fitted laws."""

from __future__ import annotations

import math
from collections.abc import Sequence


def evidence_text(comparison, x_name: str) -> str:
    """Both fitted laws of a :class:`~seqmem.laws.LawComparison` and the evidence, in words."""
    return (
        f"exponential law: slope {comparison.exponential.slope:.3g} per unit {x_name}, "
        f"r² = {comparison.exponential.r2:.4f}; power law: exponent "
        f"{comparison.power.slope:.3g}, r² = {comparison.power.r2:.4f}; log10 evidence for "
        f"the exponential law {comparison.log10_evidence:.3g}"
    )


def listed(values: Sequence[float]) -> str:
    """Numbers to four significant digits, "—" for a missing or non-finite one."""
    return ", ".join("—" if v is None or not math.isfinite(v) else f"{v:.4g}" for v in values)
