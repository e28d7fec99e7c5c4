"""Plateaus on training-loss curves: where the loss stalls, when it escapes, how that scales.

Training a linear RNN on a target with long memory fits the short-memory part quickly,
then the loss sits on a plateau for a time that grows exponentially with the memory of
the target before it escapes (ICLR 2021, §5). :func:`find_plateaus` locates such stalls
on a recorded curve J(t_k) by a scale-free rule (it depends only on ratios of losses and
of times), :func:`plateau_escape` measures the length of the first one, :func:`final_stall`
labels a run that ends stuck (or converged); :func:`fit_log_length` (of
:mod:`seqmem.dynamics.plateau_law`, importable from here) fits log(length) ≈ b₀ + b₁·memory
across runs.

Curves may be exact (gradient flow recorded at log-spaced times, gradient descent at
linear step counts) or noisy (sampled-data training with fresh batches); the running
median used by every function leaves the former unchanged and smooths the latter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.ndimage

from seqmem.dynamics.plateau_law import LogLengthFit, fit_log_length
from seqmem.errors import SeqmemValueError, check_finite_array, check_integer, check_real

__all__ = [
    "LOSS_FLOOR",
    "Escape",
    "LogLengthFit",
    "Plateau",
    "final_stall",
    "find_plateaus",
    "fit_log_length",
    "plateau_escape",
]

LOSS_FLOOR = 1e-300  # losses are clipped here before logarithms, so an exact zero is allowed


@dataclass(frozen=True)
class Plateau:
    """A stall of the loss: flat from ``start`` to ``end`` at ``level``.

    Attributes:
        start: the first time of the plateau, on the curve's time axis.
        end: the last time of the plateau.
        level: the median of the raw losses recorded on [start, end].
    """

    start: float
    end: float
    level: float

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "level": self.level}


@dataclass(frozen=True)
class Escape:
    """The escape from the first plateau: it starts at ``start``, is left at ``escape_time``.

    Attributes:
        start: the start of the plateau.
        escape_time: the first time the loss is below the stated fraction of ``level``.
        length: escape_time − start.
        level: the level of the plateau.
    """

    start: float
    escape_time: float
    length: float
    level: float

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "escape_time": self.escape_time,
            "length": self.length,
            "level": self.level,
        }


def _curve(
    losses: object, times: object, window: int | None, *, owner: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Validated (losses, times), the running median of log max(loss, LOSS_FLOOR), window."""
    losses = check_finite_array("losses", losses, owner=owner)
    if losses.ndim != 1 or losses.size < 3:
        raise SeqmemValueError(
            f"the 'losses' of {owner} must be 1-d with at least 3 entries; got {losses.shape}"
        )
    if np.any(losses < 0):
        first = int(np.flatnonzero(losses < 0)[0])
        raise SeqmemValueError(
            f"the 'losses' of {owner} must be ≥ 0; entry {first} is {losses[first]:g}"
        )
    if times is None:
        times = np.arange(losses.size, dtype=float)
    times = check_finite_array("times", times, owner=owner)
    if times.shape != losses.shape:
        raise SeqmemValueError(
            f"the 'times' of {owner} must have the shape of 'losses' {losses.shape}; got "
            f"{times.shape}"
        )
    if times[0] < 0:
        raise SeqmemValueError(
            f"the 'times' of {owner} must be ≥ 0 (the rule compares ratios of times); "
            f"got {times[0]:g} first"
        )
    if np.any(np.diff(times) <= 0):
        k = int(np.flatnonzero(np.diff(times) <= 0)[0])
        raise SeqmemValueError(
            f"the 'times' of {owner} must be strictly increasing; entries {k} and {k + 1} "
            f"are {times[k]:g} and {times[k + 1]:g}"
        )
    if window is None:
        window = max(1, losses.size // 50)
        window += 1 - window % 2
    window = check_integer("window", window, owner=owner, minimum=1)
    if window % 2 == 0:
        raise SeqmemValueError(f"the 'window' of {owner} must be an odd integer; got {window}")
    log_loss = np.log(np.maximum(losses, LOSS_FLOOR))
    smooth = scipy.ndimage.median_filter(log_loss, size=window, mode="nearest")
    return losses, times, smooth, window


def _check_rule(band: object, min_ratio: object, *, owner: str) -> tuple[float, float]:
    band = check_real("band", band, owner=owner)
    if band <= 0:
        raise SeqmemValueError(f"the 'band' of {owner} must be > 0; got {band:g}")
    min_ratio = check_real("min_ratio", min_ratio, owner=owner)
    if min_ratio <= 1:
        raise SeqmemValueError(f"the 'min_ratio' of {owner} must be > 1; got {min_ratio:g}")
    return band, min_ratio


def _check_fraction(name: str, value: object, *, owner: str) -> float:
    value = check_real(name, value, owner=owner)
    if not 0 < value < 1:
        raise SeqmemValueError(f"the {name!r} of {owner} must lie in (0, 1); got {value:g}")
    return value


def _longest_runs(y: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """For every k the largest r(k) with max y[k..r] − min y[k..r] ≤ width, and that min.

    Binary lifting over a sparse table of block maxima and minima: O(n log n) in NumPy.
    """
    n = y.size
    levels = n.bit_length()
    block_max, block_min = [], []  # [j][i] = max/min of y[i : i + 2^j], ±inf past the end
    high, low = y.copy(), y.copy()
    for j in range(levels):
        block_max.append(np.concatenate([high, np.full(n + 1 - high.size, np.inf)]))
        block_min.append(np.concatenate([low, np.full(n + 1 - low.size, -np.inf)]))
        step = 1 << j
        high = np.maximum(high[:-step], high[step:])
        low = np.minimum(low[:-step], low[step:])
    end, run_max, run_min = np.arange(n), y.copy(), y.copy()
    for j in reversed(range(levels)):
        new_max = np.maximum(run_max, block_max[j][end + 1])
        new_min = np.minimum(run_min, block_min[j][end + 1])
        accept = new_max - new_min <= width
        end = np.where(accept, end + (1 << j), end)
        run_max = np.where(accept, new_max, run_max)
        run_min = np.where(accept, new_min, run_min)
    return end, run_min


def _plateaus(
    losses: np.ndarray,
    times: np.ndarray,
    smooth: np.ndarray,
    band: float,
    min_ratio: float,
    drop: float,
    initial: bool,
) -> list[Plateau]:
    n = smooth.size
    run_end, run_min = _longest_runs(smooth, np.log1p(band))
    later_min = np.append(np.minimum.accumulate(smooth[::-1])[::-1], np.inf)[run_end + 1]
    escapes = later_min < run_min + np.log1p(-drop)  # rule (b)

    def plateau(k: int) -> Plateau:
        r = run_end[k]
        return Plateau(float(times[k]), float(times[r]), float(np.median(losses[k : r + 1])))

    found = []
    first_run = run_end[0]
    reference = times[0] if times[0] > 0 else times[1]
    if initial and times[first_run] >= min_ratio * reference and escapes[0]:
        found.append(plateau(0))
    admissible = np.flatnonzero(
        (np.arange(n) > first_run) & (times[run_end] >= min_ratio * times) & escapes
    )
    position = 0
    while position < admissible.size:
        first = admissible[position]
        stop = np.searchsorted(admissible, run_end[first], side="right")
        candidates = admissible[position:stop]  # all after the first point, so times > 0
        ratio = times[run_end[candidates]] / times[candidates]
        # the earliest of the longest; on a geometric grid equal ratios differ by rounding
        best = int(candidates[np.argmax(ratio >= ratio.max() * (1 - 1e-9))])
        found.append(plateau(best))
        position = np.searchsorted(admissible, run_end[best], side="right")
    return found


def find_plateaus(
    losses: object,
    times: object = None,
    *,
    band: float = 0.1,
    min_ratio: float = 4.0,
    drop: float = 0.2,
    window: int | None = None,
    initial: bool = False,
) -> list[Plateau]:
    """The plateaus of a loss curve J(t_k): long flat stretches that the loss later leaves.

    The rule, on y_k = running median of log max(J(t_k), 1e-300) over ``window`` points
    (edges padded by repeating the end values):

    1. the band run from k is the longest stretch k..r(k) with
       max y − min y ≤ log(1 + band), i.e. max J / min J ≤ 1 + band after smoothing;
    2. the initial run 0..r(0) is the initial condition, not a plateau (see ``initial``);
    3. a start k > r(0) is admissible if its run (a) lasts: t_{r(k)} ≥ min_ratio·t_k,
       and (b) is escaped: some y_j with j > r(k) is below log(1 − drop) + min y[k..r(k)];
    4. scanning left to right, take the first admissible k₀; among the admissible starts
       in k₀..r(k₀) report the run with the largest t_{r(k)}/t_k (the earliest of those
       within a relative 10⁻⁹ of the largest, so that rounding does not decide) as
       Plateau(t_k, t_{r(k)}, median J[k..r(k)]); go on with the admissible starts after
       that run's end.

    Step 4 keeps a slowly drifting plateau in one piece: the first run that qualifies
    often ends where the tail of the transient meets the drift of the plateau, and a later
    start within it runs much longer. Only ratios enter, so scaling the losses or the
    times by c > 0 scales the levels or the times by c and changes nothing else. A flat
    final stretch is never reported, because nothing escapes it; :func:`final_stall`
    reports it. A power law t^{−p} with p < log(1 + band)/log(min_ratio) (≈ 0.07 by
    default) is flat at this resolution and may be reported.

    Near t = 0 every smooth curve is flat on a logarithmic time axis (e^{−t} stays within
    10 % until t ≈ 0.1), and rule (a) has no scale at t = 0, so the initial run is skipped.
    With ``initial=True`` it is reported when t_{r(0)} ≥ min_ratio·t₁ (t₁ the first
    positive recorded time) and (b) holds: use this for a run known to stall at
    initialisation (a target with only long memory), knowing that any decay slower than
    about min_ratio·t₁/band then counts. A transient smaller than the band is part of the
    initial run too (exp(rate=3)+gammabump(k=4) falls from J = 1.063 to its plateau at
    0.999): resolve it with a finer band (0.02–0.05 suits exact curves) or ``initial=True``.

    The default window is n // 50 made odd (1 below 100 points): 2 % of the curve. A
    running median of a monotone curve is the curve itself, point for point, so exact
    recordings are left unchanged, while multiplicative noise of 10–30 % per point is
    reduced enough to stay inside the band. Noisy curves need it: with ``window=1`` a
    spurious run starting at step s needs 3s + 1 consecutive raw points inside the band.

    Reference: ICLR 2021, §5 (plateaus whose length grows exponentially with the memory).

    Args:
        losses: J(t_k) ≥ 0, array of shape (n,), n ≥ 3.
        times: t_k ≥ 0, strictly increasing, shape (n,); default 0, 1, …, n − 1.
        band: the relative flatness, > 0.
        min_ratio: the least end/start ratio of a plateau, > 1.
        drop: the relative fall that counts as an escape, in (0, 1).
        window: odd number of points of the running median; default n // 50 made odd.
        initial: whether the run that contains the first point may count.

    Returns:
        The plateaus in order of time; [] when there is none.

    Example:
        >>> t = np.concatenate([[0.0], np.geomspace(1e-3, 1e8, 400)])
        >>> loss = 0.05 + 0.95 / (1 + (t / 1e4) ** 4) + np.exp(-3 * t)
        >>> [(round(p.start, 1), round(p.level, 3)) for p in find_plateaus(loss, t)]
        [(0.9, 1.0)]
    """
    owner = "find_plateaus"
    band, min_ratio = _check_rule(band, min_ratio, owner=owner)
    drop = _check_fraction("drop", drop, owner=owner)
    losses, times, smooth, _ = _curve(losses, times, window, owner=owner)
    return _plateaus(losses, times, smooth, band, min_ratio, drop, bool(initial))


def plateau_escape(
    losses: object,
    times: object = None,
    *,
    escape: float = 0.8,
    band: float = 0.1,
    min_ratio: float = 4.0,
    drop: float = 0.2,
    window: int | None = None,
    initial: bool = False,
) -> Escape | None:
    """The length of the first plateau: from its start until the loss falls below a fraction.

    With P the first plateau of :func:`find_plateaus` (same options), the escape time is

        t_esc = min { t_k > P.start : J̃(t_k) < escape · P.level },   length = t_esc − P.start,

    where J̃ is the running median of the losses (exp of the smoothed log-loss of
    :func:`find_plateaus`). With ``window=1`` J̃ is the raw loss J; with a larger window
    it equals the raw loss on a monotone (exact) curve and removes the noise of a noisy
    one, and the escape must last: J̃ stays below the threshold for ``window`` points.
    t_esc is a recorded time, so it is resolved to the spacing of the recording.
    This is the plateau length of ICLR 2021, §5: the time from the end of the
    short-memory transient until the loss leaves the plateau.

    Args:
        losses: J(t_k) ≥ 0, shape (n,), n ≥ 3.
        times: t_k ≥ 0, strictly increasing, shape (n,); default 0, 1, …, n − 1.
        escape: the fraction of the plateau level that counts as escaped, in (0, 1).
        band, min_ratio, drop, window, initial: as in :func:`find_plateaus`.

    Returns:
        The escape, or None when there is no plateau or the loss never falls below
        escape · P.level (possible only when escape < 1 − drop).

    Example:
        >>> t = np.concatenate([[0.0], np.geomspace(1e-3, 1e8, 400)])
        >>> loss = 0.05 + 0.95 / (1 + (t / 1e4) ** 4) + np.exp(-3 * t)
        >>> round(plateau_escape(loss, t).escape_time / 1e4, 2)
        0.73
    """
    owner = "plateau_escape"
    escape = _check_fraction("escape", escape, owner=owner)
    band, min_ratio = _check_rule(band, min_ratio, owner=owner)
    drop = _check_fraction("drop", drop, owner=owner)
    losses, times, smooth, window = _curve(losses, times, window, owner=owner)
    plateaus = _plateaus(losses, times, smooth, band, min_ratio, drop, bool(initial))
    if not plateaus:
        return None
    first = plateaus[0]
    curve = losses if window == 1 else np.exp(smooth)
    below = (times > first.start) & (curve < escape * first.level)
    if window > 1:
        # noisy curves: the escape must last a window (a dip of the noise does not count)
        lasting = np.lib.stride_tricks.sliding_window_view(below, window).all(axis=1)
        below = np.zeros_like(below)
        below[: lasting.size] = lasting
    if not np.any(below):
        return None
    escape_time = float(times[np.argmax(below)])
    return Escape(first.start, escape_time, escape_time - first.start, first.level)


def final_stall(
    losses: object,
    times: object = None,
    *,
    band: float = 0.1,
    min_ratio: float = 4.0,
    window: int | None = None,
) -> Plateau | None:
    """The flat end of a curve: converged, or stuck until the run ended.

    With y the smoothed log-loss of :func:`find_plateaus`, k is the smallest index with
    max y[k..n−1] − min y[k..n−1] ≤ log(1 + band); the tail counts if
    t_{n−1} ≥ min_ratio·t_k (t_k replaced by the first positive time when it is 0, so a
    curve flat from start to end counts). Whether it is convergence or a stall is read
    off the level.

    Args:
        losses: J(t_k) ≥ 0, shape (n,), n ≥ 3.
        times: t_k ≥ 0, strictly increasing, shape (n,); default 0, 1, …, n − 1.
        band, min_ratio, window: as in :func:`find_plateaus`.

    Returns:
        Plateau(t_k, t_{n−1}, median J[k..n−1]), or None when the tail is too short.

    Example:
        >>> t = np.concatenate([[0.0], np.geomspace(1e-3, 1e4, 300)])
        >>> stall = final_stall(1 + np.exp(-3 * t), t)
        >>> round(stall.level, 3), stall.end
        (1.0, 10000.0)
    """
    owner = "final_stall"
    band, min_ratio = _check_rule(band, min_ratio, owner=owner)
    losses, times, smooth, _ = _curve(losses, times, window, owner=owner)
    spread = np.maximum.accumulate(smooth[::-1]) - np.minimum.accumulate(smooth[::-1])
    k = smooth.size - 1 - int(np.flatnonzero(spread <= np.log1p(band))[-1])
    reference = times[k] if times[k] > 0 else times[1]
    if times[-1] < min_ratio * reference:
        return None
    return Plateau(float(times[k]), float(times[-1]), float(np.median(losses[k:])))
