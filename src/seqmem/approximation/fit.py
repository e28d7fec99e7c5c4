"""The best width-m exponential-sum approximant of a kernel, by variable projection.

Find ρ̂(t) = Σ_i a_i φ_i(t; θ) minimising ‖ρ − ρ̂‖ in L² (or L¹), where the modes are real
decays φ = e^{−wt} or damped oscillation pairs e^{−at}cos(bt), e^{−at}sin(bt) (a complex
conjugate pair of RNN eigenvalues −a ± ib). Rates are stored as logarithms (w = e^v,
a = e^v), so every model is stable by construction.

Variable projection (Golub–Pereyra): for fixed nonlinear parameters θ the weights a are a
linear least-squares problem, solved exactly; the reduced residual r(θ) = ρ − Φ(θ)a(θ)
is minimised over θ alone by Levenberg–Marquardt (``scipy.optimize.least_squares``).
Several starts: geometric rate spreads over the kernel's time scales, the decay rates of
a given model (e.g. the previous width's fit or a balanced truncation), and the best is
kept. The L¹ fit refines the L² fit by minimising a smoothed L¹ norm.

All integrals in the optimisation use :func:`seqmem.approximation.grid.quadrature_grid`;
the reported errors are computed apart from it, with their tolerance, by
:func:`approximation_errors`: exactly for exponential-sum targets (closed forms between
certified sign changes, an exactly summed Gramian), by adaptive quadrature otherwise.
Reference: Li, Han, E, Li, ICLR 2021, §4 (Theorems 4.1–4.2 guarantee such approximants).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize

from seqmem.approximation.grid import QuadratureGrid, quadrature_grid
from seqmem.errors import SeqmemError, SeqmemValueError, check_integer
from seqmem.kernels import Kernel
from seqmem.kernels.norms import norms_with_error
from seqmem.rnn import LinearRNN

NORMS = ("l2", "l1")
_LOG_MIN, _LOG_MAX = np.log(1e-8), np.log(1e8)


@dataclass(frozen=True, eq=False)
class BestFit:
    """A width-m approximant of a kernel and its exact errors.

    Attributes:
        model: the RNN, diagonal (complex when it has oscillating pairs).
        rates: its decay rates −λ, shape (m,), complex pairs adjacent.
        errors: ‖ρ − ρ̂‖_{L¹} and ‖ρ − ρ̂‖_{L²} with their tolerances
            (:class:`ApproximationErrors`; also as ``l1_error``, ``l2_error``,
            ``l1_tolerance``, ``l2_tolerance``).
        relative_l1_error, relative_l2_error: the errors divided by ‖ρ‖.
        norm: the norm that was minimised ("l2" or "l1").
        mode_norms: ‖c_i e^{λ_i t}‖_{L²} of each mode.
    """

    model: LinearRNN
    rates: np.ndarray
    errors: ApproximationErrors
    relative_l1_error: float
    relative_l2_error: float
    norm: str
    mode_norms: np.ndarray

    @property
    def l1_error(self) -> float:
        return self.errors.l1

    @property
    def l2_error(self) -> float:
        return self.errors.l2

    @property
    def l1_tolerance(self) -> float:
        return self.errors.l1_tolerance

    @property
    def l2_tolerance(self) -> float:
        return self.errors.l2_tolerance

    @property
    def slowest_rate(self) -> float:
        """min Re(rate) over the modes that matter (L² norm ≥ 1e-6·‖ρ̂‖): memory ≈ 1/rate.

        Modes with negligible weight (e.g. the spare units of a kernel that fewer units
        represent exactly) carry no memory and are ignored.
        """
        significant = self.mode_norms >= 1e-6 * np.sqrt(np.sum(self.mode_norms**2))
        return float(np.min(self.rates.real[significant]))


@dataclass(frozen=True)
class _Modes:
    """Layout of θ: ``real`` log-rates, then ``pairs`` × (log-decay, frequency)."""

    real: int
    pairs: int

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # log-rates are clipped to [1e-8, 1e8]: stable, and finite on the quadrature grid
        rates = np.exp(np.clip(theta[: self.real], _LOG_MIN, _LOG_MAX))
        decays = np.exp(np.clip(theta[self.real :: 2][: self.pairs], _LOG_MIN, _LOG_MAX))
        frequencies = theta[self.real + 1 :: 2][: self.pairs]
        return rates, decays, frequencies

    def basis(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Φ, shape (len(t), real + 2·pairs): e^{−wt}, e^{−at}cos bt, e^{−at}sin bt."""
        rates, decays, frequencies = self.split(theta)
        columns = [np.exp(-np.outer(t, rates))]
        if self.pairs:
            envelope = np.exp(-np.outer(t, decays))
            phase = np.outer(t, frequencies)
            columns += [envelope * np.cos(phase), envelope * np.sin(phase)]
        return np.concatenate(columns, axis=1)

    def model(self, theta: np.ndarray, weights: np.ndarray) -> LinearRNN:
        """The diagonal RNN with these modes: a cos + b sin pair is Re((a − ib) e^{−(α−iβ)t})."""
        rates, decays, frequencies = self.split(theta)
        real_weights = weights[: self.real]
        cosine = weights[self.real : self.real + self.pairs]
        sine = weights[self.real + self.pairs :]
        eigenvalues = np.concatenate([-rates, -decays + 1j * frequencies]).astype(complex)
        c = np.concatenate([real_weights, cosine - 1j * sine]).astype(complex)
        if self.pairs == 0:
            return LinearRNN(eigenvalues.real, np.ones(self.real), c.real)
        return LinearRNN(eigenvalues, np.ones(eigenvalues.size), c)


def _project(modes: _Modes, theta, grid: QuadratureGrid, target: np.ndarray):
    """Optimal weights for θ and the weighted residual √q ⊙ (ρ − Φa)."""
    root = np.sqrt(grid.weights)
    design = modes.basis(theta, grid.nodes) * root[:, None]
    weights = scipy.linalg.lstsq(design, target * root, cond=1e-13, lapack_driver="gelsy")[0]
    return weights, target * root - design @ weights


class _Projection:
    """The variable-projection residual r(θ) = √q(ρ − Φa(θ)) and Kaufman's Jacobian.

    With P the orthogonal projector onto the range of √qΦ, r = (I − P)√qρ and Kaufman's
    approximation of the Jacobian keeps ∂r/∂θ_k ≈ −(I − P)√q (∂Φ/∂θ_k) a, which costs one
    SVD of the (n × m) design per θ instead of m extra residual evaluations.
    """

    def __init__(self, modes: _Modes, grid: QuadratureGrid, target: np.ndarray) -> None:
        self.modes, self.t = modes, grid.nodes
        self.root = np.sqrt(grid.weights)
        self.target = target * self.root
        self._theta = None

    def _update(self, theta: np.ndarray) -> None:
        if self._theta is not None and np.array_equal(theta, self._theta):
            return
        basis = self.modes.basis(theta, self.t)
        # thin SVD through QR: LAPACK's SVD of a tall (n × m) matrix is ~20× slower here
        orthogonal, triangular = np.linalg.qr(basis * self.root[:, None])
        small_left, singular, right = np.linalg.svd(triangular)
        left = orthogonal @ small_left
        keep = singular > 1e-13 * singular[0]
        self.left = left[:, keep]
        coefficients = self.left.T @ self.target
        self.weights = right[keep].T @ (coefficients / singular[keep])
        self.residual = self.target - self.left @ coefficients
        self.basis, self._theta = basis, theta.copy()

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        self._update(theta)
        return self.residual

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        self._update(theta)
        modes, t, a = self.modes, self.t[:, None], self.weights
        rates, decays, _ = modes.split(theta)
        real = self.basis[:, : modes.real]
        cosine = self.basis[:, modes.real : modes.real + modes.pairs]
        sine = self.basis[:, modes.real + modes.pairs :]
        a_real, a_cos, a_sin = (
            a[: modes.real],
            a[modes.real : modes.real + modes.pairs],
            a[modes.real + modes.pairs :],
        )
        columns = np.empty((t.shape[0], theta.size))
        columns[:, : modes.real] = -rates * t * real * a_real  # ∂(a e^{−wt})/∂log w
        mixed = cosine * a_cos + sine * a_sin
        columns[:, modes.real :: 2][:, : modes.pairs] = -decays * t * mixed  # ∂/∂log a
        columns[:, modes.real + 1 :: 2][:, : modes.pairs] = t * (
            cosine * a_sin - sine * a_cos
        )  # ∂/∂b
        weighted = columns * self.root[:, None]
        return -(weighted - self.left @ (self.left.T @ weighted))


def _fit_l2(modes: _Modes, theta0: np.ndarray, grid: QuadratureGrid, target: np.ndarray):
    """Levenberg–Marquardt (MINPACK, QR-based) on the projected residual."""
    projection = _Projection(modes, grid, target)
    result = scipy.optimize.least_squares(
        projection,
        theta0,
        jac=projection.jacobian,
        method="lm",
        xtol=1e-12,
        ftol=1e-13,
        gtol=1e-13,
        max_nfev=100 * (theta0.size + 1),
    )
    return result.x, float(result.cost)


def _fit_l1(modes: _Modes, theta: np.ndarray, grid: QuadratureGrid, target: np.ndarray):
    """Refine (θ, a) for Σ q √(r² + ε²) with ε shrinking: a smoothed L¹ norm."""
    weights, _ = _project(modes, theta, grid, target)
    params = np.concatenate([theta, weights])
    scale = np.sum(grid.weights * np.abs(target))
    for epsilon in scale * np.array([1e-3, 1e-5, 1e-7]):

        def objective(p, epsilon=epsilon):
            th, a = p[: theta.size], p[theta.size :]
            r = target - modes.basis(th, grid.nodes) @ a
            return np.sum(grid.weights * np.sqrt(r * r + epsilon * epsilon))

        params = scipy.optimize.minimize(
            objective, params, method="Powell", options={"xtol": 1e-10, "ftol": 1e-14}
        ).x
    return params[: theta.size], params[theta.size :]


def _balanced_start(kernel: Kernel, width: int) -> LinearRNN | None:
    """The balanced truncation's poles: near-optimal rates (Hankel theory), when computable."""
    from seqmem.approximation.hankel import balanced_truncation

    try:
        return balanced_truncation(kernel, width)
    except SeqmemError:
        return None


def _starts(kernel: Kernel, modes: _Modes, seeds: list[LinearRNN | None]) -> list[np.ndarray]:
    """Initial θ: geometric spreads over the kernel's time scales, and each seed's rates."""
    short, long = kernel.time_scales()
    width = modes.real + modes.pairs
    starts = []
    for slow, fast in [
        (1.0 / long, 1.0 / short),
        (0.1 / long, 3.0 / short),
        (1.0 / long, 0.3 / short),
    ]:
        rates = np.geomspace(slow, max(fast, 2 * slow), width)
        theta = list(np.log(rates[: modes.real]))
        for decay in rates[modes.real :]:
            theta += [np.log(decay), 2.0 * decay]
        starts.append(np.array(theta))
    for start in seeds:
        if start is None:
            continue
        eigen = -np.asarray(start.eigenvalues, dtype=complex)
        eigen = eigen[np.argsort(eigen.real)]
        real = [w.real for w in eigen if abs(w.imag) < 1e-12 * abs(w)]
        pairs = [w for w in eigen if w.imag > 0]
        # pad with rates spread beyond the fastest, or drop the extras
        while len(real) < modes.real:
            real.append(2.0 * max(real + [w.real for w in pairs] + [1.0 / long]))
        while len(pairs) < modes.pairs:
            pairs.append(complex(2.0 * max([*real, 1.0 / long]), 1.0 / short))
        theta = list(np.log(np.sort(real)[: modes.real]))
        for w in pairs[: modes.pairs]:
            theta += [np.log(w.real), abs(w.imag)]
        starts.append(np.array(theta))
    return starts


@dataclass(frozen=True)
class ApproximationErrors:
    """‖ρ − ρ̂‖_{L¹} and ‖ρ − ρ̂‖_{L²} with the accuracy each was computed to.

    Attributes:
        l1, l2: the errors.
        l1_tolerance, l2_tolerance: absolute bounds (exponential-sum targets) or estimates
            (quadrature) of |computed − exact| (see :mod:`seqmem.kernels.norms`).
        route: "exponential sum" (closed forms between certified sign changes) or
            "quadrature".
    """

    l1: float
    l2: float
    l1_tolerance: float
    l2_tolerance: float
    route: str

    @property
    def accurate(self) -> bool:
        """Whether both errors are known to ``ERROR_RTOL`` relative (or are exact zeros)."""
        return all(
            tolerance <= ERROR_RTOL * value
            for value, tolerance in ((self.l1, self.l1_tolerance), (self.l2, self.l2_tolerance))
        )


# The accuracy the errors are documented to: met by the exponential-sum route for every
# model whose weights do not cancel beyond 1e-6 of their sum, and by the quadrature route
# for the built-in families (measured in tests/test_norms.py).
ERROR_RTOL = 1e-8


def approximation_errors(kernel: Kernel, model: LinearRNN) -> ApproximationErrors:
    """‖ρ − ρ̂‖_{L¹} = sup_t sup_{|x|≤1} |H_t(x) − Ĥ_t(x)| and ‖ρ − ρ̂‖_{L²} for any
    single-input model, each with its tolerance (:mod:`seqmem.kernels.norms`).

    Example:
        >>> from seqmem.kernels import ExpSum
        >>> errors = approximation_errors(ExpSum([1.0], [1.0]), LinearRNN.from_rates([2.0], [2.0]))
        >>> round(errors.l1, 12), errors.accurate  # ∫|e^{−t} − 2e^{−2t}| = 1/2
        (0.5, True)
    """
    difference = kernel - model.to_kernel()
    l1, l2 = norms_with_error(difference)
    return ApproximationErrors(
        l1=l1.value,
        l2=l2.value,
        l1_tolerance=l1.error,
        l2_tolerance=l2.error,
        route="quadrature" if "quadrature" in (l1.route, l2.route) else "exponential sum",
    )


def best_fit(
    kernel: Kernel,
    width: int,
    *,
    norm: str = "l2",
    oscillating: bool | None = None,
    start: LinearRNN | None = None,
) -> BestFit:
    """The best width-m linear RNN approximant of ``kernel`` in L² (or L¹).

    Args:
        kernel: the target memory kernel ρ.
        width: m ≥ 1, the number of hidden units (a complex pair counts as two).
        norm: "l2" (variable projection) or "l1" (the L² fit refined in a smoothed L¹).
        oscillating: allow complex-pair modes. None (default): only for kernels that
            change sign (``kernel.sign() == 0``), where both all-real and paired layouts
            are fitted and the better is kept.
        start: a model whose decay rates seed one of the starts (e.g. the width m − 1 fit).

    Returns:
        a :class:`BestFit` with the model and its exact L¹ and L² errors.

    Example:
        >>> from seqmem.kernels import Exponential
        >>> fit = best_fit(Exponential(rate=2.0), 1)
        >>> round(fit.slowest_rate, 10), fit.l2_error < 1e-10
        (2.0, True)
    """
    width = check_integer("width", width, owner="best_fit", minimum=1)
    if norm not in NORMS:
        raise SeqmemValueError(f"the 'norm' of best_fit must be one of {NORMS}; got {norm!r}")
    if not isinstance(kernel, Kernel):
        raise SeqmemValueError(f"best_fit needs a Kernel; got {type(kernel).__name__}")
    grid = quadrature_grid(kernel)
    target = kernel(grid.nodes)
    oscillating = kernel.sign() == 0 if oscillating is None else bool(oscillating)
    layouts = [_Modes(real=width, pairs=0)]
    if oscillating and width >= 2:
        layouts.append(_Modes(real=width % 2, pairs=width // 2))
    seeds = [start, _balanced_start(kernel, width)]
    best = None
    for modes in layouts:
        for theta0 in _starts(kernel, modes, seeds):
            theta, cost = _fit_l2(modes, theta0, grid, target)
            if best is None or cost < best[2]:
                best = (modes, theta, cost)
    modes, theta, _ = best
    if norm == "l1":
        theta, weights = _fit_l1(modes, theta, grid, target)
    else:
        weights, _ = _project(modes, theta, grid, target)
    model = modes.model(theta, weights)
    errors = approximation_errors(kernel, model)
    rates = -np.asarray(model.eigenvalues, dtype=complex)
    # ‖c e^{λt}‖ of each mode: |c|/√(2 Re w) (a pair's Re part carries half its energy)
    mode_norms = np.abs(model.c) / np.sqrt(2.0 * rates.real)
    return BestFit(
        model=model,
        rates=rates if np.any(rates.imag != 0) else rates.real,
        errors=errors,
        relative_l1_error=errors.l1 / kernel.l1_norm(),
        relative_l2_error=errors.l2 / np.sqrt(kernel.l2_norm_squared()),
        norm=norm,
        mode_norms=mode_norms,
    )
