"""The approximation experiments of ICLR 2021 §4, each returning plain data (no plotting).

(a) :func:`error_versus_width`: best-fit error against width, with the Hankel floor σ_{m+1}
    (no width-m model does better) and the balanced-truncation ceiling 2Σ_{k>m}σ_k.
(b) :func:`jackson_rates`: the constructive Jackson approximant on kernels of known
    smoothness α; the measured decay exponent of the error against α.
(c) :func:`width_needed`: the curse of memory, the width reaching a relative L¹ error ε as
    the power-law memory 1/ω grows, by best fits and by the paper's truncation argument.
(d) the inverse theorem: :attr:`ErrorCurve.slowest_rate` of (a) — the slowest decay rate of
    good approximants drifts to 0 as m grows for power laws only.

The tables of the command line: :func:`approximation_table` (``seqmem approx``, one kernel
by one method) and :func:`geometric_errors` (``seqmem demo``, fits with geometric rates).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqmem.approximation import (
    ERROR_RTOL,
    approximation_errors,
    balanced_truncation,
    error_against_width,
    estimate_gamma,
    geometric_fit,
    hankel_singular_values,
    jackson_approximant,
    jackson_bound,
    resolved_rate_fit,
    truncated_jackson_width,
    width_for,
)
from seqmem.errors import SeqmemError, SeqmemValueError
from seqmem.kernels import Custom, Kernel, from_spec

REFERENCE_KERNELS = (
    "expcos(rate=1,freq=2)",
    "airy(t0=2)",
    "exp(rate=1)+exp(rate=3)",
    "gammabump(k=2)+exp(rate=0.5)",
    "powerlaw(omega=2)",
    "powerlaw(omega=1)",
    "powerlaw(omega=0.5)",
    "powerlaw(omega=0.25)",
)


@dataclass(frozen=True)
class ApproximationTable:
    """Errors of one method's approximants across widths, with the Hankel floor.

    ``as_dict()`` gives the ``seqmem approx --json`` keys; ``message`` is non-empty when some
    error is known only to worse than :data:`ERROR_RTOL` relative (its tolerance says how
    well), or when no Hankel route resolves the kernel (``hsv_floor`` is then None).
    """

    kernel: str
    method: str
    widths: list[int]
    l1_error: list[float]
    l2_error: list[float]
    l1_tolerance: list[float]
    l2_tolerance: list[float]
    hsv_floor: list[float | None]
    slowest_rate: list[float]
    rate_fit: dict | None
    message: str

    def as_dict(self) -> dict:
        return {
            key: getattr(self, key)
            for key in (
                "kernel", "method", "widths", "l1_error", "l2_error", "l1_tolerance",
                "l2_tolerance", "hsv_floor", "slowest_rate", "rate_fit", "message",
            )
        }  # fmt: skip


def approximation_table(
    kernel: Kernel, widths: Sequence[int], *, method: str = "fit", beta: float | None = None
) -> ApproximationTable:
    """:func:`error_against_width` (fits seeded by the previous width's), the floor
    σ_{m+1}, and the fitted decay of the L¹ error (:func:`resolved_rate_fit`: from three
    widths with a non-zero error on)."""
    try:
        floor, floor_note = hankel_singular_values(kernel, max(widths) + 1), ""
    except SeqmemValueError as error:  # a kernel the Hankel routes cannot resolve
        floor, floor_note = None, f"no Hankel floor: {error}"
    rows = error_against_width(kernel, widths, method=method, beta=beta)
    l1 = [row.errors.l1 for row in rows]
    rate = resolved_rate_fit(widths, l1)
    inaccurate = [m for m, row in zip(widths, rows, strict=True) if not row.errors.accurate]
    notes = [floor_note] if floor_note else []
    if inaccurate:
        notes.append(
            f"errors at widths {inaccurate} are known only to their tolerance (worse than "
            f"{ERROR_RTOL:g} relative): the model's weights cancel beyond float64"
        )
    return ApproximationTable(
        kernel=kernel.spec,
        method=method,
        widths=list(widths),
        l1_error=l1,
        l2_error=[row.errors.l2 for row in rows],
        l1_tolerance=[row.errors.l1_tolerance for row in rows],
        l2_tolerance=[row.errors.l2_tolerance for row in rows],
        hsv_floor=[None if floor is None else float(floor[m]) for m in widths],
        slowest_rate=[row.slowest_rate for row in rows],
        rate_fit=None if rate is None else rate.as_dict(),
        message="; ".join(notes),
    )


@dataclass(frozen=True)
class GeometricErrors:
    """Relative L² errors of :func:`geometric_fit` at each width, per kernel (``seqmem demo``).

    ``relative_l2_error`` maps each kernel's spec to the closed-form errors of
    :class:`~seqmem.approximation.Fit` at ``widths`` (resolved to about 10⁻⁷ relative);
    ``seconds`` is the time the fits took. ``as_dict()`` gives the ``seqmem demo --json`` keys.
    """

    widths: list[int]
    relative_l2_error: dict[str, list[float]]
    seconds: float

    def as_dict(self) -> dict:
        return {
            "widths": self.widths,
            "relative_l2_error": self.relative_l2_error,
            "seconds": self.seconds,
        }


def geometric_errors(specs: Sequence[str], widths: Sequence[int]) -> GeometricErrors:
    """The curse of memory at a glance: the best fit with geometrically spaced rates
    (:func:`geometric_fit`) of each kernel spec at each width; the kernels are parsed one
    by one, each just before its fits."""
    start = time.perf_counter()
    widths = list(widths)
    rows = {}
    for spec in specs:
        kernel = from_spec(spec)
        rows[kernel.spec] = [geometric_fit(kernel, m).relative_l2_error for m in widths]
    return GeometricErrors(widths, rows, time.perf_counter() - start)


@dataclass(frozen=True)
class ErrorCurve:
    """Errors of width-m approximants of one kernel (experiment (a), and (d)).

    ``hsv_floor`` holds σ_{m+1} at each width and ``hsv_first`` σ₁: the singular values are
    known to about 10⁻⁶σ₁ (the matrix route's target; the other routes do better), so a
    σ_{m+1} below that is zero to its accuracy.
    """

    kernel: str
    widths: list[int]
    l1_error: list[float]
    l2_error: list[float]
    hsv_floor: list[float]
    hsv_first: float
    balanced_ceiling: list[float]
    balanced_l1_error: list[float | None]
    slowest_rate: list[float]
    rate_fit: dict | None


def error_versus_width(
    specs: Sequence[str] = REFERENCE_KERNELS, widths: Sequence[int] = (1, 2, 3, 4, 6, 8)
) -> list[ErrorCurve]:
    """Best fits (:func:`error_against_width`), the Hankel floor and balanced truncation for
    each kernel and width; the decay of the best fits' L¹ error by :func:`resolved_rate_fit`
    (errors ≤ 10⁻¹² count as exact fits)."""
    curves = []
    for spec in specs:
        kernel = from_spec(spec)
        sigma = hankel_singular_values(kernel, max(widths) + 30)
        fits = error_against_width(kernel, widths)
        l1 = [fit.errors.l1 for fit in fits]
        balanced = []
        for width in widths:
            try:
                balanced.append(approximation_errors(kernel, balanced_truncation(kernel, width)).l1)
            except SeqmemError:  # beyond the numerical rank: no truncation to compare
                balanced.append(None)
        rate = resolved_rate_fit(widths, l1, resolution=1e-12)
        curves.append(
            ErrorCurve(
                kernel=kernel.spec,
                widths=list(widths),
                l1_error=l1,
                l2_error=[fit.errors.l2 for fit in fits],
                hsv_floor=[float(sigma[m]) for m in widths],
                hsv_first=float(sigma[0]),
                balanced_ceiling=[float(2 * np.sum(sigma[m:])) for m in widths],
                balanced_l1_error=balanced,
                slowest_rate=[fit.slowest_rate for fit in fits],
                rate_fit=None if rate is None else rate.as_dict(),
            )
        )
    return curves


def smoothness_kernel(alpha: int, beta: float = 1.0) -> Kernel:
    """ρ(t) = u^{α+1}|u − ½|^{α+½}, u = e^{−βt}: g = e^{βt}ρ is C^α in u but not C^{α+1}."""

    def rho(t):
        u = np.exp(-beta * np.asarray(t, dtype=float))
        return u ** (alpha + 1) * np.abs(u - 0.5) ** (alpha + 0.5)

    return Custom(rho, name=f"smoothness-{alpha}", time_scale=0.1 / beta, horizon=40.0 / beta)


@dataclass(frozen=True)
class JacksonRates:
    """Experiment (b): L¹ errors of the Jackson approximant for kernels of smoothness α.

    ``l1_error`` uses rate spacing β (g = u^α|u − ½|^{α+½} exactly), whose fitted decay
    exponent is ``measured_exponent`` (the L¹ error gains one power over the uniform error
    m^{−(α+½)}: ``expected_exponent`` = α + 3/2). ``bounded_error`` uses spacing β/(α + 1),
    the construction the bound C(α)γ/(βm^α) (``bound``) is proved for.
    """

    alphas: list[int]
    widths: list[int]
    l1_error: list[list[float]]
    measured_exponent: list[float]
    expected_exponent: list[float]
    bounded_error: list[list[float]]
    bound: list[list[float]]


def jackson_rates(
    alphas: Sequence[int] = (0, 1, 2, 3),
    widths: Sequence[int] = (16, 32, 64, 128),
    beta: float = 1.0,
) -> JacksonRates:
    """Measured exponent p of ‖ρ − ρ̂_m‖_{L¹} ≈ C m^{−p} against α, and the bound's check."""
    errors, bounded, bounds, exponents = [], [], [], []
    for alpha in alphas:
        kernel = smoothness_kernel(alpha, beta)
        row = [jackson_approximant(kernel, m, beta=beta).l1_error for m in widths]
        errors.append(row)
        exponents.append(float(-np.polyfit(np.log(widths), np.log(row), 1)[0]))
        spacing = beta / (alpha + 1)
        bounded.append([jackson_approximant(kernel, m, beta=spacing).l1_error for m in widths])
        gamma = estimate_gamma(kernel, beta, alpha)
        bounds.append([jackson_bound(alpha, gamma, beta, m) for m in widths])
    return JacksonRates(
        alphas=list(alphas),
        widths=list(widths),
        l1_error=errors,
        measured_exponent=exponents,
        expected_exponent=[alpha + 1.5 for alpha in alphas],
        bounded_error=bounded,
        bound=bounds,
    )


@dataclass(frozen=True)
class WidthNeeded:
    """Experiment (c): the width reaching relative L¹ error ε for power laws of exponent ω.

    ``best_fit_width`` is the smallest m whose best fit reaches ε (None: not by
    ``max_width``), ``best_fit_fractional_width`` the m at which the log of the best fits'
    error, interpolated linearly between consecutive widths, crosses log ε (a smooth
    version for fitting growth laws), ``hankel_width`` the smallest m with σ_{m+1} ≤
    ε‖ρ‖_{L¹} (no width-m model can do better than σ_{m+1}: a lower bound), and
    ``jackson_width`` that of truncation + the Jackson construction.
    """

    eps: float
    omegas: list[float]
    best_fit_width: list[int | None]
    jackson_width: list[int | None]
    best_fit_fractional_width: list[float | None]
    hankel_width: list[int | None]


def crossing_width(errors: Sequence[float], eps: float) -> float | None:
    """The width at which log(error), linear between consecutive widths 1, 2, …, crosses
    log ε; ``errors[m − 1]`` is the error at width m. None if no error reaches ε.

    >>> crossing_width([1e-1, 1e-3], 1e-2)
    1.5
    """
    reached = [m for m, error in enumerate(errors, start=1) if error <= eps]
    if not reached:
        return None
    m = reached[0]
    if m == 1:
        return 1.0
    above, below = np.log(errors[m - 2]), np.log(errors[m - 1])
    return float(m - 1 + (above - np.log(eps)) / (above - below))


def width_needed(
    omegas: Sequence[float] = (2.0, 1.0, 0.5), eps: float = 1e-3, max_width: int = 32
) -> WidthNeeded:
    """Smallest m with ‖ρ − ρ̂_m‖_{L¹} ≤ ε‖ρ‖_{L¹}: best fits, the Hankel bound, and
    truncation + Jackson, for ρ = (1 + t)^{−(1+ω)} at each ω."""
    fitted, fractional, hankel, constructed = [], [], [], []
    for omega in omegas:
        kernel = from_spec(f"powerlaw(omega={omega})")
        search = width_for(kernel, eps, max_width=max_width)
        fitted.append(search.width)
        fractional.append(crossing_width(search.errors, eps))
        sigma = hankel_singular_values(kernel, len(search.errors) + 1)
        below = np.flatnonzero(sigma[1:] <= eps * kernel.l1_norm())  # σ_{m+1} at index m
        hankel.append(int(below[0]) + 1 if below.size else None)
        jackson = truncated_jackson_width(kernel, eps)
        constructed.append(jackson.width if jackson.reached else None)
    return WidthNeeded(
        eps=eps,
        omegas=list(omegas),
        best_fit_width=fitted,
        jackson_width=constructed,
        best_fit_fractional_width=fractional,
        hankel_width=hankel,
    )
