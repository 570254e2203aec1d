"""Month arithmetic and the random draws the generator is built from: categorical picks,
keyed uniforms, lognormal lags."""

from __future__ import annotations

from datetime import date

import numpy as np

from msoic.synthetic.calibration import NRM_GROWTH, NRM_REFERRALS


def month_index(text: str) -> int:
    """'2024-05' -> absolute month number (year * 12 + month - 1)."""
    year, month = text.split("-")
    if not 1 <= int(month) <= 12:
        raise ValueError(f"not a month: {text!r}")
    return int(year) * 12 + int(month) - 1


def month_first_day(a: np.ndarray | int) -> np.ndarray:
    """Days since 1970-01-01 of the first day of absolute month(s) `a`."""
    a = np.asarray(a, dtype=np.int64)
    return (a - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def day_month(days: np.ndarray) -> np.ndarray:
    """Absolute month number of day numbers (days since 1970-01-01)."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


def yearly_index(a: np.ndarray) -> np.ndarray:
    """NRM referrals per year interpolated monthly (log-linear between mid-years)."""
    first, last = min(NRM_REFERRALS), max(NRM_REFERRALS)
    years = np.arange(min(first, int(a.min()) // 12 - 1), max(last, int(a.max()) // 12 + 1) + 1)
    values = []
    for y in years:
        if y < first:
            values.append(NRM_REFERRALS[first])
        elif y > last:
            values.append(NRM_REFERRALS[last] * NRM_GROWTH ** (y - last))
        else:
            values.append(NRM_REFERRALS[int(y)])
    mid = years * 12 + 5.5
    return np.exp(np.interp(a, mid, np.log(np.asarray(values, dtype=float))))


def year_table(a: np.ndarray, table: dict[int, tuple]) -> np.ndarray:
    """Yearly anchor rows interpolated to months `a` (mid-year anchors, held at the ends)."""
    years = sorted(table)
    mid = np.asarray(years) * 12 + 5.5
    rows = np.asarray([table[y] for y in years], dtype=float)
    return np.stack([np.interp(a, mid, rows[:, j]) for j in range(rows.shape[1])], axis=1)


def cumulative(probs: np.ndarray) -> np.ndarray:
    """Row-normalised cumulative probabilities, last column exactly 1."""
    probs = np.asarray(probs, dtype=float)
    cum = np.cumsum(probs / probs.sum(axis=-1, keepdims=True), axis=-1)
    cum[cum > 1 - 1e-9] = 1.0  # so rounding never reaches a trailing zero-probability choice
    return cum


def pick(u: np.ndarray, cum: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """Categorical draws: index j with cum[group, j-1] <= u < cum[group, j]."""
    if group is None:
        return np.searchsorted(cum, u, side="right").astype(np.int16)
    k = cum.shape[-1]
    flat = (cum + np.arange(cum.shape[0])[:, None]).ravel()
    return (np.searchsorted(flat, u + group, side="right") - group * k).astype(np.int16)


def splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64: a stateless 64-bit mix, for draws keyed by an identity (OCG members)."""
    x = np.asarray(x, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def keyed_uniform(seed: int, key: np.ndarray, field: int) -> np.ndarray:
    """A uniform [0, 1) number for each key, the same wherever the key appears."""
    with np.errstate(over="ignore"):
        mixed = splitmix(
            splitmix(np.uint64(seed) * np.uint64(1_000_003) + np.uint64(field))
            ^ np.asarray(key, dtype=np.uint64)
        )
    return (mixed >> np.uint64(11)).astype(np.float64) * 2.0**-53


def lognormal(
    rng: np.random.Generator, n: int, median: float, sigma: float, low: float = 0.0, high: float = np.inf
) -> np.ndarray:
    return np.clip(median * np.exp(sigma * rng.standard_normal(n)), low, high)


def lag(rng: np.random.Generator, n: int, spec: tuple) -> np.ndarray:
    """Whole days drawn from a lognormal truncated to [low, high]: a draw outside is drawn again, because
    clipping it would pile the tail up on the bound (a spike of NRM referrals at exactly 100 days)."""
    median, sigma, low, high = spec
    days = median * np.exp(sigma * rng.standard_normal(n))
    outside = (days < low) | (days > high)
    while outside.any():
        days[outside] = median * np.exp(sigma * rng.standard_normal(int(outside.sum())))
        outside = (days < low) | (days > high)
    return days.astype(np.int64)


def month_text(a: int) -> str:
    return f"{a // 12:04d}-{a % 12 + 1:02d}"


def month_date(text: str) -> date:
    a = month_index(text)
    return date(a // 12, a % 12 + 1, 1)
