"""The paper's claims as verdicts: pure functions from measurements to a :class:`Claim`.

Each claim of ICLR 2021 (Li, Han, E, Li) §4–5, as docs/mathematics.md §5 states it, is one
function, grouped by the part of the paper it checks: :mod:`~seqmem.claims.approximation`,
:mod:`~seqmem.claims.plateaus`, :mod:`~seqmem.claims.stalls`, :mod:`~seqmem.claims.lorenz`.
It takes the numbers an experiment measured (plain sequences, nothing computed again) and
returns the statement, the **decisive number** (the one the verdict turns on), the rule it
is held to and the verdict. Nothing here draws or reads files: :func:`paper_claims` picks
the measurements out of the experiments' data and calls every verdict; :mod:`seqmem.figures`
draws the figures the claims name.

Every threshold is a named constant of :mod:`~seqmem.claims.thresholds` with its reason.
Where a unit test checks the same quantity, the claim's threshold is that test's, never
looser. Laws ("grows exponentially") are decided by weighing the law against its
alternative on the same points (:func:`seqmem.laws.compare_growth_laws`), not by a good r²
alone, which both laws reach on a short range.
"""

from seqmem.claims.approximation import (
    curse_of_memory_width,
    hankel_floor,
    inverse_theorem,
    jackson_bound,
    jackson_rate,
    power_law_slower,
    universal_approximation,
)
from seqmem.claims.lorenz import (
    lorenz_memory,
    lorenz_nonlinear,
    lorenz_stall,
)
from seqmem.claims.paper import paper_claims
from seqmem.claims.plateaus import (
    adam_smaller_exponent,
    escape_rate,
    gd_flow_time,
    momentum_flow_time,
    no_plateau,
    plateau_exponential,
    plateau_level,
    plateau_mechanism,
    sampled_growth,
)
from seqmem.claims.stalls import airy_plateau, bump_floor

__all__ = [
    "adam_smaller_exponent",
    "airy_plateau",
    "bump_floor",
    "curse_of_memory_width",
    "escape_rate",
    "gd_flow_time",
    "hankel_floor",
    "inverse_theorem",
    "jackson_bound",
    "jackson_rate",
    "lorenz_memory",
    "lorenz_nonlinear",
    "lorenz_stall",
    "momentum_flow_time",
    "no_plateau",
    "paper_claims",
    "plateau_exponential",
    "plateau_level",
    "plateau_mechanism",
    "power_law_slower",
    "sampled_growth",
    "universal_approximation",
]
