"""Funnel plot control limits: exact Poisson and binomial limits (Spiegelhalter 2005) checked
against scipy's exact distributions, hand-worked values and the normal approximation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from msoic.analysis import funnel
from tests import independent_benchmark as ind


def interpolated_cdf(dist, x: float) -> float:
    """The cumulative probability at a non-integer count, linear between whole counts."""
    r = math.ceil(x)
    below, at = dist.cdf(r - 1), dist.cdf(r)
    return below + (x - (r - 1)) * (at - below)


@pytest.mark.parametrize("level", [0.95, 0.998])
@pytest.mark.parametrize("expected", [0.5, 4.0, 10.0, 37.5, 250.0, 3000.0])
def test_poisson_limits_are_the_interpolated_quantiles_of_the_exact_distribution(expected, level):
    n = 1_000_000  # residents; the target rate makes `expected` the count expected under it
    theta = expected / n
    lower, upper = funnel.limits("rate", theta, [n], level)
    tail = (1 - level) / 2
    for limit, p in ((lower[0], tail), (upper[0], 1 - tail)):
        assert limit == pytest.approx(ind.exact_limit("rate", theta, n, p), rel=1e-9, abs=1e-15)
        if limit > 0:
            assert interpolated_cdf(stats.poisson(expected), limit * n) == pytest.approx(p, abs=1e-12)


def test_poisson_limits_for_ten_expected_worked_by_hand():
    # P(Y <= 3) = 0.010336, P(Y <= 4) = 0.029253 for Y ~ Poisson(10): r = 4 at p = 0.025, and
    # alpha = (0.029253 - 0.025) / (0.029253 - 0.010336) = 0.2248, so the limit is 3.775 events.
    # P(Y <= 16) = 0.972958, P(Y <= 17) = 0.985722: r = 17 at p = 0.975, alpha = 0.8400, limit 16.160.
    lower, upper = funnel.limits("rate", 10 / 100_000, [100_000], 0.95)
    assert lower[0] * 100_000 == pytest.approx(3.775, abs=1e-3)
    assert upper[0] * 100_000 == pytest.approx(16.160, abs=1e-3)


@pytest.mark.parametrize("level", [0.95, 0.998])
@pytest.mark.parametrize("n, p", [(1, 0.5), (12, 0.3), (50, 0.77), (400, 0.05), (2500, 0.45)])
def test_binomial_limits_are_the_interpolated_quantiles_of_the_exact_distribution(n, p, level):
    lower, upper = funnel.limits("proportion", p, [n], level)
    tail = (1 - level) / 2
    for limit, q in ((lower[0], tail), (upper[0], 1 - tail)):
        assert limit == pytest.approx(ind.exact_limit("proportion", p, n, q), rel=1e-9, abs=1e-15)
        assert 0 <= limit <= 1
        if 0 < limit * n < n:
            assert interpolated_cdf(stats.binom(n, p), limit * n) == pytest.approx(q, abs=1e-12)


@pytest.mark.parametrize("kind, theta", [("rate", 3e-4), ("proportion", 0.3)])
def test_limits_approach_the_normal_approximation_for_large_units(kind, theta):
    n = 5_000_000
    sd = math.sqrt((theta if kind == "rate" else theta * (1 - theta)) / n)
    for level in funnel.LEVELS:
        z = stats.norm.ppf(1 - (1 - level) / 2)
        lower, upper = funnel.limits(kind, theta, [n], level)
        assert lower[0] == pytest.approx(theta - z * sd, rel=2e-3)
        assert upper[0] == pytest.approx(theta + z * sd, rel=2e-3)


def test_the_funnel_narrows_as_units_grow_and_the_wider_level_holds_the_narrower():
    curves = funnel.curves("proportion", 0.4, 5, 5000)
    width95 = (curves["upper_95"] - curves["lower_95"]).to_numpy()
    width998 = (curves["upper_99_8"] - curves["lower_99_8"]).to_numpy()
    assert np.all(np.diff(width95) <= 1e-12 + 0.05)  # steps of whole counts aside, narrowing
    assert width95[-1] < width95[0] / 10
    assert np.all(width998 >= width95)
    assert curves["n"].to_list() == sorted(set(curves["n"].to_list()))
    assert all(float(n).is_integer() for n in curves["n"])


def test_units_are_placed_against_their_own_limits():
    theta, n = 0.3, [100, 100, 100, 100, 100]
    lo95, hi95 = funnel.limits("proportion", theta, [100], 0.95)
    lo998, hi998 = funnel.limits("proportion", theta, [100], 0.998)
    values = [0.3, hi95[0] + 0.001, hi998[0] + 0.001, lo95[0] - 0.001, lo998[0] - 0.001]
    assert funnel.classify("proportion", theta, n, values) == [
        "within",
        "above 95%",
        "above 99.8%",
        "below 95%",
        "below 99.8%",
    ]


def test_overdispersion_is_the_mean_squared_winsorised_z_score():
    rng = np.random.default_rng(3)
    n = rng.integers(50_000, 3_000_000, size=40).astype(float)
    theta = 2e-4
    values = rng.gamma(4, theta / 4, size=40)  # far more spread than Poisson chance
    phi = funnel.overdispersion("rate", theta, n, values)
    assert phi == pytest.approx(ind.overdispersion("rate", theta, list(n), list(values)), rel=1e-12)
    assert phi > 5

    chance = rng.poisson(theta * n) / n
    assert funnel.overdispersion("rate", theta, n, chance) < 1.5


def test_overdispersion_widens_the_exact_limits_by_its_square_root_about_the_target():
    theta, n = 0.3, [200]
    lower, upper = funnel.limits("proportion", theta, n, 0.95)
    wide_lower, wide_upper = funnel.limits("proportion", theta, n, 0.95, phi=4.0)
    assert wide_lower[0] == pytest.approx(theta - 2 * (theta - lower[0]))
    assert wide_upper[0] == pytest.approx(theta + 2 * (upper[0] - theta))
    assert funnel.limits("proportion", theta, n, 0.95, phi=0.5) == (lower, upper)


def test_nothing_varies_when_the_target_is_zero():
    assert funnel.overdispersion("rate", 0.0, [1000, 2000], [0.0, 0.0]) == 1.0
    assert funnel.overdispersion("proportion", 1.0, [10, 20], [1.0, 1.0]) == 1.0
    lower, upper = funnel.limits("rate", 0.0, [1000], 0.998)
    assert (lower[0], upper[0]) == (0.0, 0.0)
