"""The curse of memory in approximation: truncate long memory, then build the Jackson approximant.

A power law has no e^{−βt} envelope, so :func:`seqmem.approximation.jackson.jackson_approximant`
refuses it. The paper's argument (ICLR 2021, §4; docs/mathematics.md §3.3) cuts the memory at a time
T where the tail is below ε/2, makes the kernel decay smoothly after T, and applies the
construction with rate spacing β ∝ 1/T: the width needed grows exponentially in the memory 1/ω.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.fft
import scipy.integrate
import scipy.optimize

from seqmem.approximation.jackson import _chebyshev_interpolant, _check_kernel, _time
from seqmem.errors import SeqmemValueError, check_integer, check_positive, check_real
from seqmem.kernels import Kernel


@dataclass(frozen=True)
class TruncatedJacksonWidth:
    """Result of :func:`truncated_jackson_width`; errors are relative to ‖ρ‖_{L¹}.

    ``relative_error`` = ``tail_error`` + ``approximation_error`` bounds ‖ρ − ρ̂_m‖/‖ρ‖ (triangle
    inequality). ``tolerance`` is the accuracy it was computed to: the fixed rule's
    approximation error against the same rule on half as many panels, plus the quadrature
    estimate of the tail. When ``reached`` is False, ``width`` is the largest width tried.
    """

    width: int
    reached: bool
    eps: float
    cutoff: float
    beta: float
    tail_error: float
    approximation_error: float
    relative_error: float
    tolerance: float
    message: str


def truncated_jackson_width(
    kernel: Kernel,
    eps: float,
    *,
    beta_times_cutoff: float = 1.0,
    max_width: int = 2**18,
) -> TruncatedJacksonWidth:
    """The smallest width at which truncation + the Jackson construction reach ‖ρ − ρ̂‖ ≤ ε‖ρ‖.

    The curse-of-memory argument (ICLR 2021, §4; docs/mathematics.md §3.3):

    1. cut at T with ∫_T^∞ |ρ| = (ε/2)‖ρ‖_{L¹} (for ρ = (1 + t)^{−(1+ω)}, T + 1 = (2/ε)^{1/ω});
    2. ρ_T = ρ·s, s a C^∞ step from 1 at T to 0 at 2T, so ρ_T = ρ on [0, T], decays faster
       than any e^{−βt}, and ‖ρ − ρ_T‖ ≤ ε/2 ‖ρ‖;
    3. spacing β = c/T (c = ``beta_times_cutoff``, our choice 1): β ≫ 1/T squeezes the cut into
       u ≈ 0 where g = e^{βt}ρ_T grows like e^{βT}; β ≪ 1/T squeezes [0, T] into u ≈ 1.
       (c ≈ 8–16 gives up to 3× smaller widths for power laws, c ≳ 24 much larger ones);
    4. the smallest m (doubling, then bisection: error assumed monotone in m; it was, in every
       case checked) with ‖ρ_T − ρ̂_m‖ ≤ ε‖ρ‖ − ‖ρ − ρ_T‖.

    ‖ρ_T − ρ̂_m‖ uses a fixed rule (composite Simpson, 16 panels per node interval, q by one
    DCT; ~1e-5 relative, tested), so m ~ 10⁶ takes seconds. For ρ = (1 + t)^{−(1+ω)} the
    error falls like e^{−2m/√T} (Chebyshev points cluster at u = 1, t = 0, and g has a branch
    point at u = 1 + 1/T), so the width is ≈ 5–8 √T ≈ (2/ε)^{1/(2ω)} up to a log(1/ε) factor:
    exponential in the memory 1/ω. At ε = 1e-3: ω = 2, 1, ½, ¼ need m = 42, 254, 10 658 and
    ≈ 2.06·10⁷ (the last beyond the default ``max_width``).

    Example:
        >>> from seqmem.kernels import PowerLaw
        >>> result = truncated_jackson_width(PowerLaw(omega=2.0), 1e-2)
        >>> result.reached and result.relative_error <= 1e-2
        True
    """
    owner = "truncated_jackson_width"
    kernel = _check_kernel(kernel, owner)
    eps = check_real("eps", eps, owner=owner)
    if not 0 < eps < 1:
        raise SeqmemValueError(f"the 'eps' of {owner} must lie in (0, 1); got {eps:g}")
    c = check_positive("beta_times_cutoff", beta_times_cutoff, owner=owner)
    max_width = check_integer("max_width", max_width, owner=owner, minimum=1)
    norm = kernel.l1_norm()
    cutoff = _cutoff_time(kernel, eps / 2 * norm)
    beta = c / cutoff
    with warnings.catch_warnings():  # its estimate, not a warning, says how well it did
        warnings.simplefilter("ignore", scipy.integrate.IntegrationWarning)
        lost, lost_error = scipy.integrate.quad(
            lambda t: abs(float(kernel(t))) * (1 - _step(t, cutoff)), cutoff, 2 * cutoff, limit=200
        )
    tail_error = (lost + _tail(kernel, 2 * cutoff)) / norm

    def g(theta):
        t = _time(theta, beta)
        return kernel(t) * _step(t, cutoff) * np.exp(np.minimum(beta * t, 2 * c))

    def error(width: int, cells: int = 8) -> float:
        rule = _fixed_rule_l1(g, _chebyshev_interpolant(g, width), cells)
        return float(rule / (beta * norm))

    def result(width: int, reached: bool, found: float, message: str) -> TruncatedJacksonWidth:
        tolerance = abs(found - error(width, cells=4)) + lost_error / norm
        return TruncatedJacksonWidth(
            width, reached, eps, cutoff, beta, tail_error, found, tail_error + found, tolerance,
            message,
        )  # fmt: skip

    budget = eps - tail_error
    low, high = 0, 1  # error(low) > budget unless low = 0
    while (found := error(high)) > budget:
        if high >= max_width:
            return result(
                max_width, False, found,
                f"width > {max_width} needed: relative error {tail_error + found:.3g} at max_width",
            )  # fmt: skip
        low, high = high, min(2 * high, max_width)
    while high - low > 1:
        middle = (low + high) // 2
        if (trial := error(middle)) <= budget:
            high, found = middle, trial
        else:
            low = middle
    return result(
        high, True, found,
        f"width {high} reaches relative L1 error {tail_error + found:.3g} <= {eps:g}",
    )  # fmt: skip


def _step(t, cutoff: float):
    """C^∞ step: 1 for t ≤ T, 0 for t ≥ 2T, e^{−1/x}/(e^{−1/x} + e^{−1/(1−x)}) between."""
    x = np.clip(2.0 - np.asarray(t, dtype=float) / cutoff, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        left, right = np.exp(-1.0 / x), np.exp(-1.0 / (1.0 - x))
    return np.where(x >= 1, 1.0, np.where(x <= 0, 0.0, left / (left + right)))


def _tail(kernel: Kernel, start: float) -> float:
    """∫_start^∞ |ρ|, exact per sign-constant piece."""
    if kernel.sign() != 0:
        return abs(float(kernel.integrate(start, np.inf)))
    edges = kernel.sign_change_times()
    lo = np.maximum(edges[:-1], start)
    keep = edges[1:] > start
    return float(np.sum(np.abs(kernel.integrate(lo[keep], edges[1:][keep]))))


def _cutoff_time(kernel: Kernel, target: float) -> float:
    """T with ∫_T^∞ |ρ| = target (bracketed by doubling, then Brent)."""
    high = kernel.time_scales()[0]
    for _ in range(400):
        if _tail(kernel, high) <= target:
            break
        high *= 2
    else:
        raise SeqmemValueError(f"could not find a cutoff time for kernel {kernel.spec!r}")
    low = high / 2 if _tail(kernel, high / 2) > target else 0.0
    return scipy.optimize.brentq(lambda t: _tail(kernel, t) - target, low, high, xtol=1e-12 * high)


def _fixed_rule_l1(g, b: np.ndarray, cells: int = 8) -> float:
    """∫_0^1|g − q| du by composite Simpson in θ on 2·cells panels per node interval.

    q at θ_j = πj/M, M = 2·cells·m, j = 0..M, is one DCT-I of the zero-padded b; the nodes
    θ_i = π(i + ½)/m fall on panel edges (cells even), where g − q changes sign.
    """
    size = 2 * cells * b.size
    padded = np.zeros(size + 1)
    padded[0], padded[1 : b.size] = b[0], b[1:] / 2
    q = scipy.fft.dct(padded, type=1)
    weights = np.tile([2.0, 4.0], size // 2 + 1)[: size + 1]
    weights[0] = weights[-1] = 1.0
    total = 0.0
    for start in range(0, size + 1, 2**22):
        j = np.arange(start, min(start + 2**22, size + 1))
        theta = np.pi * j / size
        density = np.sin(theta) / 2
        inside = density > 0  # no g at θ = 0 or π (u = 1 is fine, u = 0 is t = ∞)
        values = np.zeros(j.size)
        values[inside] = np.abs(g(theta[inside]) - q[j[inside]]) * density[inside]
        total += weights[j] @ values
    return total * np.pi / (3 * size)
