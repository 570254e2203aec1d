"""Funnel plot control limits (Spiegelhalter 2005): exact Poisson limits for rates and exact
binomial limits for proportions, at 95% and 99.8%, around a target value.

A unit of size n (a population for rates, a denominator for proportions) is "in control" when
its observed value lies between the limits for its own n. The limits are the p and 1 - p
quantiles of the count expected under the target, a Poisson(target x n) or Binomial(n, target)
variable, made continuous by interpolating between the neighbouring integers as in
Spiegelhalter, D. J. (2005), "Funnel plots for comparing institutional performance",
Statistics in Medicine 24: 1185-1202, Appendix A.1.1:

    r_p = the smallest r with P(Y <= r) >= p
    alpha = (P(Y <= r_p) - p) / (P(Y <= r_p) - P(Y <= r_p - 1))
    limit = (r_p - alpha) / n

Counts that vary between units more than Poisson or binomial chance allows (victims come in
groups: one operation can find many) put many units outside exact limits. Spiegelhalter (2005,
section 6) estimates that over-dispersion as phi, the mean squared z-score after winsorising the
10% most extreme at each end; when asked, the limits are widened by sqrt(phi) about the target.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

LEVELS: tuple[float, ...] = (0.95, 0.998)
KINDS = ("rate", "proportion")


def _distribution(kind: str, target: float, n: np.ndarray):
    if kind == "rate":
        return stats.poisson(target * n)
    if kind == "proportion":
        return stats.binom(n.astype(np.int64), target)
    raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def interpolated_quantile(kind: str, target: float, n, p: float) -> np.ndarray:
    """The count at probability p of the count expected under `target` for each size n,
    interpolated between integers (Spiegelhalter 2005, A.1.1); never below 0 or above n."""
    n = np.asarray(n, dtype=float)
    dist = _distribution(kind, target, n)
    r = dist.ppf(p)
    at_r, below_r = dist.cdf(r), dist.cdf(r - 1)
    step = at_r - below_r
    alpha = np.divide(at_r - p, step, out=np.zeros_like(step), where=step > 0)
    count = np.clip(r - alpha, 0.0, None)
    return np.minimum(count, n) if kind == "proportion" else count


def limits(kind: str, target: float, n, level: float, phi: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) control limits as values (rates per unit of n, or proportions) at `level`:
    exact, or (phi > 1) widened by sqrt(phi) about the target for over-dispersion."""
    n = np.asarray(n, dtype=float)
    tail = (1 - level) / 2
    lower = interpolated_quantile(kind, target, n, tail) / n
    upper = interpolated_quantile(kind, target, n, 1 - tail) / n
    if phi > 1:
        widen = np.sqrt(phi)
        lower = np.clip(target + (lower - target) * widen, 0.0, None)
        upper = target + (upper - target) * widen
        if kind == "proportion":
            upper = np.minimum(upper, 1.0)
    return lower, upper


def z_scores(kind: str, target: float, n, value) -> np.ndarray:
    """Each unit's standardised distance from the target: (value - target) / its standard error."""
    n, value = np.asarray(n, dtype=float), np.asarray(value, dtype=float)
    variance = target if kind == "rate" else target * (1 - target)
    return (value - target) / np.sqrt(variance / n)


def overdispersion(kind: str, target: float, n, value, winsor: float = 0.1) -> float:
    """phi: the mean squared z-score with the `winsor` share at each end pulled in to the
    percentile (Spiegelhalter 2005, section 6.2); 1 for Poisson or binomial chance alone."""
    if target <= 0 or (kind == "proportion" and target >= 1):
        return 1.0  # every unit at 0 (or at 100%): nothing varies
    z = z_scores(kind, target, n, value)
    z = z[np.isfinite(z)]
    if z.size == 0:
        return 1.0
    low, high = np.quantile(z, [winsor, 1 - winsor])
    return float(np.mean(np.clip(z, low, high) ** 2))


def curves(
    kind: str, target: float, n_min: float, n_max: float, points: int = 200, phi: float = 1.0
) -> pl.DataFrame:
    """The funnel: limits at every level over sizes from n_min to n_max (log-spaced; whole
    numbers for proportions). Columns n, lower_95, upper_95, lower_99_8, upper_99_8."""
    n = np.unique(np.geomspace(max(n_min, 1.0), max(n_max, n_min, 1.0), points))
    if kind == "proportion":
        n = np.unique(np.round(n))
    frame = {"n": n}
    for level in LEVELS:
        lower, upper = limits(kind, target, n, level, phi)
        frame[f"lower_{level_name(level)}"], frame[f"upper_{level_name(level)}"] = lower, upper
    return pl.DataFrame(frame)


def level_name(level: float) -> str:
    """'95' or '99_8' for 0.95 or 0.998 (column suffixes)."""
    return f"{level * 100:g}".replace(".", "_")


def classify(kind: str, target: float, n, value, phi: float = 1.0) -> list[str]:
    """Where each unit falls: 'above 99.8%', 'above 95%', 'within', 'below 95%', 'below 99.8%'.

    A value outside the 99.8% limits is also outside the 95% ones; the wider is named.
    """
    n, value = np.asarray(n, dtype=float), np.asarray(value, dtype=float)
    lo95, hi95 = limits(kind, target, n, 0.95, phi)
    lo998, hi998 = limits(kind, target, n, 0.998, phi)
    out = []
    for v, a, b, c, d in zip(value, lo95, hi95, lo998, hi998):
        if v > d:
            out.append("above 99.8%")
        elif v > b:
            out.append("above 95%")
        elif v < c:
            out.append("below 99.8%")
        elif v < a:
            out.append("below 95%")
        else:
            out.append("within")
    return out
