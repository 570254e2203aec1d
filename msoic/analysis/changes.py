"""Emerging changes: the months in which a monthly count series (new operations of one region and
crime type) falls outside what the 12 months before lead one to expect.

For every series and month the expected count is the mean m of the 12 months before, and the
spread is negative binomial, with variance m + d*m^2 where the overdispersion d is estimated
from the same 12 months (method of moments, never below 0.05) and the variance is widened for
the uncertainty of a mean taken from only 12 months (a mean of 0 counts as half an operation a
year). So that a change that persists is seen before any single small monthly count can show it,
the month is tested on its own and as the total of the last 2, 3 and 6 months, each against the
12 months before that window. A month is flagged when the smallest two-sided tail probability,
multiplied by the number of windows tested (Bonferroni), is below 0.005 and the month itself
lies on the same side of its expectation (the change is still there). Flags are ranked largest
first, by the change in new operations a month (observed minus expected over the window, divided
by its months), then by that probability. Seasonality and the steady growth of the series are
not modelled: a strongly seasonal series (small boats in summer) can be flagged at large
volumes.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from scipy import stats

from msoic.filters import add_months, month_range

METHOD = " ".join(__doc__.split("\n\n")[1].split())  # the paragraph above, for the pages

BASELINE = 12  # months a window is compared with
WINDOWS = (1, 2, 3, 6)  # months summed: the month itself and the last 2, 3 and 6
ALPHA = 0.005  # flag when the Bonferroni-adjusted two-sided p is below this
MIN_OVERDISPERSION = 0.05  # d is never taken below this (force-month variation)
ZERO_MEAN = 0.5 / BASELINE  # a baseline of only zeros: half an operation a year
HISTORY = BASELINE + max(WINDOWS) - 1  # months before a month needed to test every window
KEYS = ("region_code", "crime_type")


def nb_tails(y: np.ndarray, mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(Y <= y) and P(Y >= y) for Y negative binomial with the given mean and variance (> mean)."""
    y = np.asarray(y, dtype=np.int64)
    mean, var = np.asarray(mean, dtype=float), np.asarray(var, dtype=float)
    size = mean**2 / (var - mean)
    # scipy's success probability p = size / (size + mean); sf(y - 1) is P(Y >= y) computed
    # from the complementary incomplete beta, so tiny upper tails keep their precision.
    dist = stats.nbinom(size, size / (size + mean))
    return dist.cdf(y), dist.sf(y - 1)


def _matrix(counts: pl.DataFrame, months: list[date], series: list[tuple], value: str) -> np.ndarray:
    """Series x month counts (0 where `counts` has no row)."""
    index = {key: i for i, key in enumerate(series)}
    column = {m: j for j, m in enumerate(months)}
    out = np.zeros((len(series), len(months)))
    for *key, month, n in counts.select(*KEYS, "month", value).iter_rows():
        i, j = index.get(tuple(key)), column.get(month)
        if i is not None and j is not None:
            out[i, j] = n
    return out


def _window_sums(y: np.ndarray, k: int) -> np.ndarray:
    """s[:, t] = sum of y[:, t-k+1 .. t] (NaN where the window starts before the data)."""
    c = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(y, axis=1)], axis=1)
    out = np.full(y.shape, np.nan)
    out[:, k - 1 :] = c[:, k:] - c[:, :-k]
    return out


def detect(
    counts: pl.DataFrame,
    first: date,
    last: date,
    series: list[tuple[str, str]],
    value: str = "new_ops",
    covered: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Test every series in `series` ((region_code, crime_type) pairs) in every month from
    `first` + 12 months to `last`, reading `counts` (month, region_code, crime_type, `value`;
    months absent are 0, and `first` must be where the data starts, or earlier history is lost).

    One row per series and month: the month's count (`observed`), the window that tested it
    most strongly (`window` months ending in the month, `window_observed`, `window_expected`,
    `ratio`, `excess` in standard deviations, `change` in counts a month), the Bonferroni-adjusted
    two-sided `p_value`, `direction` ('up' or 'down') and `flagged`.

    `covered` (region_code, month: the months a region has data, as from coverage_by_force) leaves
    untested (p-value 1) every window whose months or 12 months before include one without data,
    so a month without returns is never read as a fall to zero, nor its zeros as a baseline.
    """
    months = month_range(first, last)
    schema = {
        **{k: pl.String for k in KEYS},
        "month": pl.Date,
        "observed": pl.Int64,
        "window": pl.Int64,
        "window_observed": pl.Int64,
        "window_expected": pl.Float64,
        "ratio": pl.Float64,
        "excess": pl.Float64,
        "change": pl.Float64,
        "p_value": pl.Float64,
        "direction": pl.String,
        "flagged": pl.Boolean,
    }
    if len(months) <= BASELINE or not series:
        return pl.DataFrame(schema=schema)
    y = _matrix(counts, months, series, value)
    n_series, n_months = y.shape
    missing = np.zeros(y.shape)
    if covered is not None:
        have = set(covered.select(KEYS[0], "month").iter_rows())
        missing = np.array([[float((region, month) not in have) for month in months] for region, _ in series])
    baseline_sum = _window_sums(y, BASELINE)
    baseline_sq = _window_sums(y**2, BASELINE)

    tested = []  # per window: (t index array, expected, variance, observed window total)
    for k in WINDOWS:
        t = np.arange(BASELINE + k - 1, n_months)
        if len(t) == 0:
            continue
        end = t - k  # the baseline's last month
        total = baseline_sum[:, end]
        mean = total / BASELINE
        spread = (baseline_sq[:, end] - total**2 / BASELINE) / (BASELINE - 1)
        m = np.maximum(mean, ZERO_MEAN)
        own = np.where(mean > 0, (spread - mean) / np.maximum(mean, ZERO_MEAN) ** 2, 0.0)
        v = m + np.maximum(own, MIN_OVERDISPERSION) * m**2
        expected = k * m
        variance = k * v + k * k * v / BASELINE
        observed = _window_sums(y, k)[:, t]
        without_data = _window_sums(missing, BASELINE + k)[:, t] > 0
        tested.append((k, t, expected, variance, observed, m, without_data))

    ys = np.concatenate([o.ravel() for *_, o, _, _ in tested]).astype(np.int64)
    lower, upper = nb_tails(
        ys,
        np.concatenate([e.ravel() for _, _, e, *_ in tested]),
        np.concatenate([v.ravel() for _, _, _, v, *_ in tested]),
    )
    first_t = BASELINE
    shape = (n_series, n_months - first_t)
    best_p = np.ones(shape)
    n_windows = np.zeros(shape)
    fields = {name: np.zeros(shape) for name in ("window", "observed", "expected", "excess", "up")}
    offset = 0
    for k, t, expected, variance, observed, m, without_data in tested:
        size = expected.size
        lo = lower[offset : offset + size].reshape(expected.shape)
        up = upper[offset : offset + size].reshape(expected.shape)
        offset += size
        p = np.where(without_data, 1.0, np.minimum(1.0, 2 * np.minimum(lo, up)))
        rising = up < lo
        this_month = y[:, t]
        same_side = np.where(rising, this_month > m, this_month < m)
        cols = t - first_t
        n_windows[:, cols] += 1
        # The month on its own is always reported; a longer window replaces it when stronger.
        better = np.full(p.shape, True) if k == 1 else same_side & (p < best_p[:, cols])
        for name, values in (
            ("window", np.full(p.shape, k)),
            ("observed", observed),
            ("expected", expected),
            ("excess", (observed - expected) / np.sqrt(variance)),
            ("up", rising),
        ):
            fields[name][:, cols] = np.where(better, values, fields[name][:, cols])
        best_p[:, cols] = np.where(better, p, best_p[:, cols])

    p_value = np.minimum(1.0, best_p * n_windows)
    grid_months = months[first_t:]
    frame = pl.DataFrame(
        {
            KEYS[0]: np.repeat([s[0] for s in series], len(grid_months)),
            KEYS[1]: np.repeat([s[1] for s in series], len(grid_months)),
            "month": grid_months * n_series,
            "observed": y[:, first_t:].ravel().astype(np.int64),
            "window": fields["window"].ravel().astype(np.int64),
            "window_observed": fields["observed"].ravel().astype(np.int64),
            "window_expected": fields["expected"].ravel(),
            "excess": fields["excess"].ravel(),
            "p_value": p_value.ravel(),
            "direction": np.where(fields["up"].ravel() > 0, "up", "down"),
        },
        schema_overrides={"month": pl.Date},
    )
    return frame.with_columns(
        ratio=pl.col("window_observed") / pl.col("window_expected"),
        change=(pl.col("window_observed") - pl.col("window_expected")) / pl.col("window"),
        flagged=pl.col("p_value") < ALPHA,
    ).select(*schema)


def ranked(result: pl.DataFrame, month: date) -> pl.DataFrame:
    """The series flagged in `month`, largest first (the size of the change a month), then
    most certain (p-value)."""
    return (
        result.filter(pl.col("flagged") & (pl.col("month") == month))
        .with_columns(pl.col("change").abs().alias("size"))
        .sort(["size", "p_value"], descending=[True, False])
        .drop("size")
    )


def evaluate(result: pl.DataFrame, events: pl.DataFrame, within: int = 6, attribution: int = 12) -> dict:
    """Recall and false flags of `result` (from `detect`) against injected changes `events`
    (region_code, crime_type, start_month, end_month or null, multiplier).

    An event is assessed when its start month was tested; it is detected when its series is
    flagged in its direction (up if multiplier > 1) in one of the `within` months from its start.
    A flag is attributable to an event when it is in the event's series and direction within
    `attribution` months from its start, or in the opposite direction within `attribution`
    months after its end (the return to normal). Every other flag is a false flag; the rate is
    per 100 series-months tested.
    """
    tested_months = set(result["month"].unique().to_list())
    flags = result.filter("flagged")
    attributable = pl.lit(False)
    delays, assessed = [], []
    for e in events.iter_rows(named=True):
        same = (pl.col("region_code") == e["region_code"]) & (pl.col("crime_type") == e["crime_type"])
        way = "up" if e["multiplier"] > 1 else "down"
        start = e["start_month"]
        early = (
            same
            & (pl.col("direction") == way)
            & pl.col("month").is_between(start, add_months(start, attribution - 1))
        )
        attributable = attributable | early
        if e["end_month"] is not None:
            after = add_months(e["end_month"], 1)
            attributable = attributable | (
                same
                & (pl.col("direction") != way)
                & pl.col("month").is_between(after, add_months(after, attribution - 1))
            )
        if start not in tested_months:
            continue
        hit = flags.filter(
            same
            & (pl.col("direction") == way)
            & pl.col("month").is_between(start, add_months(start, within - 1))
        )
        first_hit = hit["month"].min()
        delay = (
            None
            if first_hit is None
            else ((first_hit.year - start.year) * 12 + first_hit.month - start.month)
        )
        assessed.append({**e, "delay": delay})
        delays.append(delay)
    false_flags = flags.filter(~attributable).height
    detected = sum(d is not None for d in delays)
    return {
        "events": len(assessed),
        "detected": detected,
        "recall": detected / len(assessed) if assessed else float("nan"),
        "delays": delays,
        "assessed": assessed,
        "flags": flags.height,
        "false_flags": false_flags,
        "series_months": result.height,
        "false_per_100": 100 * false_flags / result.height if result.height else float("nan"),
    }
