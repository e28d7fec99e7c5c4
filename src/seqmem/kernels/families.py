"""The kernel families of THEORY.md §2, each with its closed forms.

- ExpSum:       ρ = Σ g_k e^{−λ_k t};           memory 1/min Re λ;  ℒρ = Σ g_k/(s + λ_k)
- PowerLaw:     ρ = (1 + t/τ)^{−(1+ω)};          memory 1/ω;         ℒρ = τ e^{sτ}(sτ)^ω Γ(−ω, sτ)
- GaussianBump: ρ = e^{−((t − t₀)/σ)²};   memory t₀;  ℒρ = (σ√π/2) e^{(sσ/2)²−st₀} erfc(sσ/2−t₀/σ)
- GammaBump:    ρ = A t^k e^{−t}, ‖ρ‖_{L²} = 1;  memory k;          ℒρ = A Γ(k+1)/(1 + s)^{k+1}
- Airy:         ρ = Ai(s₀(t − t₀));              memory t₀;         ℒρ by quadrature
- DelayBox:     ρ = 1{t₀ < t < t₀ + w};          memory t₀;         ℒρ = (e^{−st₀} − e^{−s(t₀+w)})/s
- Custom:       any vectorised integrable callable; everything by quadrature

Reference: Li, Han, E, Li, "On the Curse of Memory in Recurrent Neural Networks",
ICLR 2021 (targets of §4–5 are exponential sums, power laws, shifted bumps and Airy).
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special

from seqmem.errors import (
    SeqmemValueError,
    check_finite_array,
    check_positive,
    check_real,
)
from seqmem.kernels.base import Kernel, format_number
from seqmem.kernels.special import scaled_upper_gamma

SQRT_PI = math.sqrt(math.pi)


def _complex_or_real(s: object) -> np.ndarray:
    s = np.asarray(s)
    return s.astype(complex) if np.iscomplexobj(s) else s.astype(float)


@dataclass(frozen=True, eq=False, repr=False)
class ExpSum(Kernel):
    """ρ(t) = Σ_k g_k e^{−λ_k t}: the kernel of every diagonalisable linear RNN.

    Args:
        weights: g, array of shape (m,), real or complex.
        rates: λ, array of shape (m,) with Re λ > 0; complex rates must come in
            conjugate pairs with conjugate weights so that ρ is real.

    ℒρ(s) = Σ g_k/(s + λ_k), ∫ t ρ e^{−st} = Σ g_k/(s + λ_k)², ‖ρ‖²_{L²} = Σ g_i g_j/(λ_i + λ_j).

    Example:
        >>> rho = ExpSum([1.0, 2.0], [1.0, 3.0])
        >>> round(rho.l1_norm(), 12)  # 1/1 + 2/3
        1.666666666667
    """

    weights: np.ndarray
    rates: np.ndarray

    def __post_init__(self) -> None:
        owner = "an exponential-sum kernel"
        weights = np.atleast_1d(
            check_finite_array("weights", self.weights, owner=owner, dtype=complex)
        )
        rates = np.atleast_1d(check_finite_array("rates", self.rates, owner=owner, dtype=complex))
        if weights.ndim != 1 or weights.shape != rates.shape or weights.size == 0:
            raise SeqmemValueError(
                f"the 'weights' and 'rates' of {owner} must be 1-d arrays of one nonzero length; "
                f"got shapes {weights.shape} and {rates.shape}"
            )
        if np.any(rates.real <= 0):
            worst = rates[np.argmin(rates.real)]
            raise SeqmemValueError(
                f"the 'rates' of {owner} must have positive real part (decaying memory); "
                f"got {worst:g}"
            )
        if np.any(rates.imag != 0) or np.any(weights.imag != 0):
            _check_conjugate_closed(weights, rates)
        else:
            weights, rates = weights.real, rates.real
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "rates", rates)

    def _evaluate(self, t):
        return np.real(np.exp(-np.multiply.outer(t, self.rates)) @ self.weights)

    def _integral(self, a, b):
        # g/λ e^{−λa}(1 − e^{−λ(b−a)}): no cancellation in the tail or for short cells.
        a_ = np.multiply.outer(a, self.rates)
        finite_b = np.isfinite(b)
        gap = np.multiply.outer(np.where(finite_b, b - a, 0.0), self.rates)
        fraction = np.where(finite_b[..., None], -np.expm1(-gap), 1.0)
        pieces = np.exp(-a_) * fraction / self.rates
        return np.real(pieces @ self.weights)

    def laplace_transform(self, s):
        s = _complex_or_real(s)
        values = (1.0 / np.add.outer(s, self.rates)) @ self.weights
        return values if np.iscomplexobj(s) else np.real(values)

    def t_weighted_laplace_transform(self, s):
        s = _complex_or_real(s)
        values = (1.0 / np.add.outer(s, self.rates) ** 2) @ self.weights
        return values if np.iscomplexobj(s) else np.real(values)

    @functools.cached_property
    def _l2_squared(self) -> float:
        gram = 1.0 / np.add.outer(self.rates, self.rates)
        return float(np.real(self.weights @ gram @ self.weights))

    def sign(self):
        if np.iscomplexobj(self.rates):
            return 0
        if np.all(self.weights >= 0):
            return 1
        return -1 if np.all(self.weights <= 0) else 0

    def exponential_terms(self):
        return self.weights, self.rates

    def time_scales(self):
        return 1.0 / float(np.max(np.abs(self.rates))), 40.0 / float(np.min(self.rates.real))

    @property
    def spec(self) -> str:
        parts: list[str] = []
        for g, lam in zip(self.weights, self.rates, strict=True):
            if np.imag(lam) > 0:
                continue  # the pair is written once, from its lower member
            if np.imag(lam) == 0:
                term = f"exp(rate={format_number(np.real(lam))})"
                factor = float(np.real(g))
            else:
                # g e^{−(a−ib)t} + c.c. = 2|g| e^{−at} cos(bt + arg g)
                phase = float(np.angle(g))
                term = (
                    f"expcos(rate={format_number(lam.real)},freq={format_number(-lam.imag)},"
                    f"phase={format_number(phase)})"
                )
                factor = 2.0 * abs(g)
            parts.append(term if factor == 1 else f"{format_number(factor)}*{term}")
        return "+".join(parts).replace("+-", "-")


def _check_conjugate_closed(weights: np.ndarray, rates: np.ndarray) -> None:
    """Raise unless the terms (g, λ) are closed under conjugation (ρ is then real)."""
    unmatched = list(range(rates.size))
    while unmatched:
        i = unmatched.pop(0)
        if rates[i].imag == 0 and abs(weights[i].imag) <= 1e-12 * abs(weights[i]):
            continue
        scale = 1e-10 * (abs(rates[i]) + abs(weights[i]))
        for j in unmatched:
            if (
                abs(rates[j] - np.conj(rates[i])) <= scale
                and abs(weights[j] - np.conj(weights[i])) <= scale
            ):
                unmatched.remove(j)
                break
        else:
            raise SeqmemValueError(
                "an exponential-sum kernel must be real: complex rates need conjugate partners "
                f"with conjugate weights; rate {rates[i]:g} with weight {weights[i]:g} has none"
            )


def Exponential(rate: float, weight: float = 1.0) -> ExpSum:
    """ρ(t) = weight·e^{−rate·t}."""
    rate = check_positive("rate", rate, owner="exp()")
    weight = check_real("weight", weight, owner="exp()")
    return ExpSum(np.array([weight]), np.array([rate]))


def DampedCosine(rate: float, freq: float, phase: float = 0.0) -> ExpSum:
    """ρ(t) = e^{−rate·t} cos(freq·t + phase) = Re(e^{iφ} e^{−(rate − i·freq)t})."""
    rate = check_positive("rate", rate, owner="expcos()")
    freq = check_real("freq", freq, owner="expcos()")
    phase = check_real("phase", phase, owner="expcos()")
    if freq == 0:
        return Exponential(rate, math.cos(phase))
    weight = 0.5 * np.exp(1j * phase)
    lam = complex(rate, -freq)
    return ExpSum(np.array([weight, np.conj(weight)]), np.array([lam, np.conj(lam)]))


@dataclass(frozen=True, eq=False, repr=False)
class PowerLaw(Kernel):
    """ρ(t) = (1 + t/τ)^{−(1+ω)}: polynomially decaying (long) memory; smaller ω is longer.

    ‖ρ‖_{L¹} = τ/ω, ‖ρ‖²_{L²} = τ/(1 + 2ω), ℒρ(s) = τ U(1, 1 − ω, sτ) = τ e^{sτ}(sτ)^ω Γ(−ω, sτ),
    ∫ t ρ e^{−st} dt = τ²[U(1, 2 − ω, sτ) − U(1, 1 − ω, sτ)] (finite at s = 0 only for ω > 1).
    No exponential sum approximates it at a rate exponential in the width (ICLR 2021, §4,
    the curse of memory).
    """

    omega: float
    tau: float = 1.0

    def __post_init__(self) -> None:
        omega = check_real("omega", self.omega, owner="powerlaw()")
        if omega <= 0:
            raise SeqmemValueError(
                f"the 'omega' of powerlaw() must be > 0 for an integrable kernel "
                f"(‖ρ‖_L¹ = τ/ω); got {omega:g}"
            )
        object.__setattr__(self, "omega", omega)
        object.__setattr__(self, "tau", check_positive("tau", self.tau, owner="powerlaw()"))

    def _evaluate(self, t):
        return np.exp(-(1.0 + self.omega) * np.log1p(t / self.tau))

    def _integral(self, a, b):
        # τ/ω (1 + a/τ)^{−ω} [1 − ((τ + b)/(τ + a))^{−ω}]
        head = (self.tau / self.omega) * np.exp(-self.omega * np.log1p(a / self.tau))
        with np.errstate(invalid="ignore"):
            ratio = np.log1p((b - a) / (self.tau + a))
        return head * -np.expm1(-self.omega * ratio)

    def laplace_transform(self, s):
        return self._transform(
            s,
            lambda x: scaled_upper_gamma(-self.omega, x) * self.tau,
            at_zero=self.tau / self.omega,
        )

    def t_weighted_laplace_transform(self, s):
        at_zero = self.tau**2 / (self.omega * (self.omega - 1)) if self.omega > 1 else np.inf

        def transform(x):
            difference = scaled_upper_gamma(1 - self.omega, x) - scaled_upper_gamma(-self.omega, x)
            return self.tau**2 * difference

        return self._transform(s, transform, at_zero=at_zero)

    def _transform(self, s, closed_form, *, at_zero):
        s = _complex_or_real(s)
        if np.any(s.real < 0):
            raise SeqmemValueError("the Laplace transform of powerlaw() needs Re s ≥ 0")
        out = np.full(s.shape, at_zero, dtype=s.dtype)
        nonzero = s != 0
        out[nonzero] = closed_form(s[nonzero] * self.tau)
        return out

    def l1_norm(self):
        return self.tau / self.omega

    def l2_norm_squared(self):
        return self.tau / (1.0 + 2.0 * self.omega)

    def sign(self):
        return 1

    def time_scales(self):
        return self.tau, 1e3 * self.tau

    @property
    def spec(self):
        tau = "" if self.tau == 1 else f",tau={format_number(self.tau)}"
        return f"powerlaw(omega={format_number(self.omega)}{tau})"


@dataclass(frozen=True, eq=False, repr=False)
class GaussianBump(Kernel):
    """ρ(t) = e^{−((t − t₀)/σ)²} on t ≥ 0: memory localised around t₀.

    With c = t₀/σ and z = sσ/2 − c, ℒρ(s) = (σ√π/2) e^{−c²} erfcx(z) (the form
    e^{(sσ/2)² − st₀} erfc(z) cancels catastrophically), and
    ∫ t ρ e^{−st} = (σ²√π/2) e^{−c²}(1/√π − z erfcx(z)).
    """

    t0: float
    sigma: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "t0", check_positive("t0", self.t0, owner="bump()", allow_zero=True)
        )
        object.__setattr__(self, "sigma", check_positive("sigma", self.sigma, owner="bump()"))

    @property
    def _amplitude(self) -> float:
        return self.sigma * SQRT_PI / 2.0

    def _evaluate(self, t):
        return np.exp(-(((t - self.t0) / self.sigma) ** 2))

    def _integral(self, a, b):
        ua, ub = (a - self.t0) / self.sigma, (b - self.t0) / self.sigma
        # erf differences lose everything in the tails: use erfc on the side they lie on.
        right = special.erfc(ua) - special.erfc(ub)
        left = special.erfc(-ub) - special.erfc(-ua)
        across = special.erf(ub) - special.erf(ua)
        return self._amplitude * np.where(ua >= 0, right, np.where(ub <= 0, left, across))

    def _scaled_erfc(self, z):
        """e^{−c²} e^{z²} erfc(z), without overflow for real or complex z.

        For Re z ≥ 0 it is e^{−c²} erfcx(z); for Re z < 0, erfc(z) = 2 − erfc(−z) gives
        2e^{z² − c²} − e^{−c²} erfcx(−z), where z² − c² ≤ 0 for the z = sσ/2 − c used here.
        """
        c = self.t0 / self.sigma
        right = np.where(z.real >= 0, z, 0.0)
        left = np.where(z.real < 0, z, -1.0)
        from_left = 2.0 * np.exp(left * left - c * c) - np.exp(-c * c) * special.erfcx(-left)
        return np.where(z.real >= 0, np.exp(-c * c) * special.erfcx(right), from_left)

    def laplace_transform(self, s):
        z = _complex_or_real(s) * self.sigma / 2.0 - self.t0 / self.sigma
        return self._amplitude * self._scaled_erfc(z)

    def t_weighted_laplace_transform(self, s):
        z = _complex_or_real(s) * self.sigma / 2.0 - self.t0 / self.sigma
        c = self.t0 / self.sigma
        direct = np.exp(-c * c) / SQRT_PI - z * self._scaled_erfc(z)
        if not np.iscomplexobj(z):
            # 1/√π − z erfcx(z) = (1/√π) Σ_{n≥1} (−1)^{n+1} (2n−1)!!/(2z²)^n, asymptotic for z ≫ 1
            far = z > 8.0
            zf = np.where(far, z, 9.0)
            term, series = np.ones_like(zf), np.zeros_like(zf)
            for n in range(1, 21):
                term = term * -(2 * n - 1) / (2.0 * zf * zf)
                series = series - term
            direct = np.where(far, np.exp(-c * c) * series / SQRT_PI, direct)
        return self._amplitude * self.sigma * direct

    def l1_norm(self):
        return self._amplitude * float(special.erfc(-self.t0 / self.sigma))

    def l2_norm_squared(self):
        return (
            self._amplitude
            / math.sqrt(2.0)
            * float(special.erfc(-math.sqrt(2) * self.t0 / self.sigma))
        )

    def sign(self):
        return 1

    def time_scales(self):
        return self.sigma, self.t0 + 10.0 * self.sigma

    @property
    def spec(self):
        sigma = "" if self.sigma == 1 else f",sigma={format_number(self.sigma)}"
        return f"bump(t0={format_number(self.t0)}{sigma})"


@dataclass(frozen=True, eq=False, repr=False)
class GammaBump(Kernel):
    """ρ(t) = A t^k e^{−t}, A = √(2^{2k+1}/Γ(2k+1)) so that ‖ρ‖_{L²} = 1; peak at t = k.

    ℒρ(s) = A Γ(k+1)/(1 + s)^{k+1}; ∫ t ρ e^{−st} = A Γ(k+2)/(1 + s)^{k+2}. Seen from decay
    rates w, ℒρ(w) ∝ (1 + w)^{−(k+1)} is exponentially small in k: the force that drives
    the plateau escape of THEORY.md §4.
    """

    k: float

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "k", check_positive("k", self.k, owner="gammabump()", allow_zero=True)
        )

    @property
    def _log_amplitude(self) -> float:
        return 0.5 * ((2 * self.k + 1) * math.log(2.0) - special.gammaln(2 * self.k + 1))

    def _evaluate(self, t):
        return np.exp(self._log_amplitude + special.xlogy(self.k, t) - t)

    def _integral(self, a, b):
        order = self.k + 1.0
        scale = math.exp(self._log_amplitude + special.gammaln(order))
        upper = special.gammaincc(order, a) - special.gammaincc(order, b)
        lower = special.gammainc(order, b) - special.gammainc(order, a)
        return scale * np.where(a >= order, upper, lower)

    def laplace_transform(self, s):
        s = _complex_or_real(s)
        return np.exp(
            self._log_amplitude + special.gammaln(self.k + 1) - (self.k + 1) * np.log1p(s)
        )

    def t_weighted_laplace_transform(self, s):
        s = _complex_or_real(s)
        return np.exp(
            self._log_amplitude + special.gammaln(self.k + 2) - (self.k + 2) * np.log1p(s)
        )

    def l1_norm(self):
        return math.exp(self._log_amplitude + special.gammaln(self.k + 1))

    def l2_norm_squared(self):
        return 1.0

    def sign(self):
        return 1

    def time_scales(self):
        width = math.sqrt(self.k + 1.0)
        return min(1.0, width) / 4.0, self.k + 12.0 * width + 40.0

    @property
    def spec(self):
        return f"gammabump(k={format_number(self.k)})"


@dataclass(frozen=True, eq=False, repr=False)
class Airy(Kernel):
    """ρ(t) = Ai(s₀(t − t₀)): oscillating for t < t₀, super-exponentially decaying after.

    The paper's Airy target (ICLR 2021, §5): memory of length ≈ t₀. Integrals are exact
    (``scipy.special.itairy``); transforms and norms use quadrature cut at the zeros of Ai,
    ℒρ(s) ≈ s₀⁻¹ e^{−st₀ + (s/s₀)³/3} when t₀ ≫ 1.
    """

    t0: float
    s0: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "t0", check_positive("t0", self.t0, owner="airy()", allow_zero=True)
        )
        object.__setattr__(self, "s0", check_positive("s0", self.s0, owner="airy()"))

    def _evaluate(self, t):
        y = self.s0 * (t - self.t0)
        # SciPy returns nan for Ai at arguments beyond ~1e5; Ai(y) < 1e-290 for y > 100
        return np.where(y > 100.0, 0.0, special.airy(np.minimum(y, 100.0))[0])

    @functools.cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cumulative integrals of Ai on y_i = −s₀t₀ + i·h up to y = 40 (Ai(40) < 1e-45).

        Returns (y_i, ∫_{y_0}^{y_i} Ai, ∫_{y_i}^{40} Ai): one table from each end, so that
        differences near t = 0 and in the far tail both keep their relative accuracy.
        """
        start = -self.s0 * self.t0
        count = int(np.ceil((_AIRY_END - start) / _AIRY_STEP))
        y = start + _AIRY_STEP * np.arange(count + 1)
        pieces = _gauss_legendre(lambda u: special.airy(u)[0], y[:-1], y[1:])
        from_left = np.concatenate([[0.0], np.cumsum(pieces)])
        from_right = np.concatenate([np.cumsum(pieces[::-1])[::-1], [0.0]])
        return y, from_left, from_right

    def _integral(self, a, b):
        """∫_a^b Ai(s₀(t − t₀)) dt from the tables plus one Gauss–Legendre rule per endpoint.

        A cell on the decaying side (y_a ≥ 0) is a difference of integrals to the far end,
        any other cell a difference of integrals from y = −s₀t₀; each distinct endpoint is
        integrated once, in the form its cells need (neighbouring grid cells share edges).
        (SciPy's ``itairy`` was measured wrong by up to 2e-5 at y = 5, so it is not used.)
        """
        y, from_left, from_right = self._table
        ya = np.clip(self.s0 * (a - self.t0), y[0], y[-1])
        yb = np.clip(self.s0 * (b - self.t0), y[0], y[-1])
        decaying = ya >= 0
        points, inverse = np.unique(np.concatenate([ya.ravel(), yb.ravel()]), return_inverse=True)
        cell = np.clip(((points - y[0]) / _AIRY_STEP).astype(int), 0, y.size - 2)
        flag = np.concatenate([decaying.ravel(), decaying.ravel()])
        need_right = np.zeros(points.size, dtype=bool)
        need_right[inverse[flag]] = True
        need_left = np.zeros(points.size, dtype=bool)
        need_left[inverse[~flag]] = True
        need_right &= points < y[-1]  # ∫ from y_end on is 0 (Ai < 1e-45 there)

        def airy(u):
            return special.airy(u)[0]

        right, left = np.zeros(points.size), np.zeros(points.size)
        i = cell[need_right]
        right[need_right] = from_right[i + 1] + _gauss_legendre(airy, points[need_right], y[i + 1])
        i = cell[need_left]
        left[need_left] = from_left[i] + _gauss_legendre(airy, y[i], points[need_left])
        index_a, index_b = (
            inverse[: ya.size].reshape(ya.shape),
            inverse[ya.size :].reshape(yb.shape),
        )
        cells = np.where(decaying, right[index_a] - right[index_b], left[index_b] - left[index_a])
        return cells / self.s0

    def breakpoints(self):
        count = int(2 * (self.s0 * self.t0) ** 1.5 / (3 * math.pi)) + 2
        zeros = special.ai_zeros(count)[0]
        zeros = zeros[zeros > -self.s0 * self.t0]
        return tuple(float(self.t0 + z / self.s0) for z in zeros[::-1])

    def time_scales(self):
        # local wavelength 2π/(s₀√(s₀t₀)) at t = 0, where Ai oscillates fastest
        wavelength = 2 * math.pi / (self.s0 * math.sqrt(max(self.s0 * self.t0, 1.0)))
        return wavelength / 4.0, self.t0 + 30.0 / self.s0

    @property
    def spec(self):
        s0 = "" if self.s0 == 1 else f",s0={format_number(self.s0)}"
        return f"airy(t0={format_number(self.t0)}{s0})"


@dataclass(frozen=True, eq=False, repr=False)
class DelayBox(Kernel):
    """ρ(t) = 1{t₀ < t < t₀ + w}: a pure delay averaged over a window of width w.

    ℒρ(s) = e^{−st₀}(1 − e^{−sw})/s; ∫ t ρ e^{−st} = e^{−st₀}[t₀(1 − e^{−sw})/s + w² φ(sw)],
    φ(x) = (1 − e^{−x}(1 + x))/x² (a series near 0). ‖ρ‖_{L¹} = ‖ρ‖²_{L²} = w.
    """

    t0: float
    width: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "t0", check_positive("t0", self.t0, owner="delay()", allow_zero=True)
        )
        object.__setattr__(self, "width", check_positive("width", self.width, owner="delay()"))

    def _evaluate(self, t):
        return ((t > self.t0) & (t < self.t0 + self.width)).astype(float)

    def _integral(self, a, b):
        return np.maximum(0.0, np.minimum(b, self.t0 + self.width) - np.maximum(a, self.t0))

    def laplace_transform(self, s):
        s = _complex_or_real(s)
        x = s * self.width
        return np.exp(-s * self.t0) * self.width * _relative_expm1(x)

    def t_weighted_laplace_transform(self, s):
        s = _complex_or_real(s)
        x = s * self.width
        small = np.abs(x) < 1e-2
        xs = np.where(small, 1.0, x)
        phi = np.where(small, 0.0, (1.0 - np.exp(-xs) * (1.0 + xs)) / (xs * xs))
        series, power = np.zeros_like(x), np.ones_like(x)
        for n in range(2, 9):  # φ(x) = Σ_{n≥2} (−1)^n (n − 1) x^{n−2}/n!
            series = series + (-1) ** n * (n - 1) / math.factorial(n) * power
            power = power * x
        phi = np.where(small, series, phi)
        head = self.t0 * self.width * _relative_expm1(x)
        return np.exp(-s * self.t0) * (head + self.width**2 * phi)

    def l1_norm(self):
        return self.width

    def l2_norm_squared(self):
        return self.width

    def sign(self):
        return 1

    def breakpoints(self):
        return (self.t0, self.t0 + self.width)

    def time_scales(self):
        return self.width, self.t0 + self.width

    @property
    def spec(self):
        return f"delay(t0={format_number(self.t0)},width={format_number(self.width)})"


_AIRY_STEP = 0.25  # table spacing in y = s₀(t − t₀); Ai's wavelength stays above 0.6 for y > −100
_AIRY_END = 40.0
_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(24)


def _gauss_legendre(fn, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """∫_lo^hi fn by the 24-point Gauss–Legendre rule, elementwise over lo and hi."""
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    middle, half = (lo + hi) / 2.0, (hi - lo) / 2.0
    return half * (fn(middle[..., None] + half[..., None] * _GAUSS_NODES) @ _GAUSS_WEIGHTS)


def _relative_expm1(x: np.ndarray) -> np.ndarray:
    """(1 − e^{−x})/x, equal to 1 at x = 0."""
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 1.0, -np.expm1(-safe) / safe)


@dataclass(frozen=True, eq=False, repr=False)
class Custom(Kernel):
    """Any integrable kernel given as a vectorised callable ρ(t) (t ≥ 0 arrays in, same shape out).

    Everything is computed by adaptive quadrature. ``time_scale`` is the shortest feature
    of ρ and ``horizon`` the time after which ρ keeps one sign and decays; both guide the
    quadrature. Construction checks that ρ is finite and that ‖ρ‖_{L¹} < ∞.

    Example:
        >>> rho = Custom(lambda t: 1.0 / (1.0 + t) ** 2, name="inverse-square")
        >>> round(rho.l1_norm(), 10)
        1.0
    """

    function: Callable[[np.ndarray], np.ndarray]
    name: str = "custom"
    time_scale: float = 1.0
    horizon: float = 50.0
    spec_identifies = False  # two callables may share a name

    def __post_init__(self) -> None:
        owner = f"custom kernel {self.name!r}"
        if not callable(self.function):
            raise SeqmemValueError(f"the 'function' of {owner} must be callable")
        check_positive("time_scale", self.time_scale, owner=owner)
        check_positive("horizon", self.horizon, owner=owner)
        probe = np.array([0.0, 0.5 * self.time_scale, self.time_scale, self.horizon])
        values = np.asarray(self.function(probe), dtype=float)
        if values.shape != probe.shape:
            raise SeqmemValueError(
                f"the function of {owner} must be vectorised: 4 times in gave shape {values.shape}"
            )
        check_finite_array("values", values, owner=owner)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            tail, error = integrate.quad(
                lambda t: abs(float(self.function(np.array(t)))), self.horizon, np.inf, limit=500
            )
        if not math.isfinite(tail) or error > 1e-6 * max(tail, 1.0):
            raise SeqmemValueError(
                f"{owner} is not integrable: ∫_horizon^∞ |ρ| does not converge "
                f"(quadrature gave {tail:g} ± {error:g})"
            )

    def _evaluate(self, t):
        return np.asarray(self.function(t), dtype=float)

    def _integral(self, a, b):
        edges = self.sign_change_times()
        out = np.empty(np.broadcast(a, b).shape)
        for index, (lo, hi) in enumerate(zip(np.ravel(a), np.ravel(b), strict=True)):
            inside = edges[(edges > lo) & (edges < hi)]
            cuts = np.concatenate([[lo], inside, [hi]])
            out.flat[index] = sum(
                integrate.quad(lambda t: float(self(t)), x, y, limit=500, epsrel=1e-12)[0]
                for x, y in itertools.pairwise(cuts)
            )
        return out

    def time_scales(self):
        return self.time_scale, self.horizon

    @property
    def spec(self):
        return self.name
