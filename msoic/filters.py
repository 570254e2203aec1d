"""The Filters value every page and query takes, and its round trip through URL query parameters."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from msoic import reference

# URL query parameter names: the sidebar widgets are bound to these keys.
PERIOD, REGION, FORCE, FAMILY, CRIME_TYPE, AGENCY = (
    "period",
    "region",
    "force",
    "family",
    "crime_type",
    "agency",
)


def month_key(month: date) -> str:
    """'2024-05' for a month."""
    return f"{month.year:04d}-{month.month:02d}"


def parse_month(text: str) -> date:
    """The first day of the month written 'YYYY-MM'."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after (or before) `month`."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_range(start: date, end: date) -> list[date]:
    """Every first-of-month date from `start` to `end`, both included."""
    months, month = [], start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class Filters:
    """What the user is looking at: a month range and optional narrowing selections.

    An empty selection means "all". Months are first-of-month dates, both ends included.
    """

    start: date
    end: date
    regions: tuple[str, ...] = field(default=())
    forces: tuple[str, ...] = field(default=())
    families: tuple[str, ...] = field(default=())
    crime_types: tuple[str, ...] = field(default=())
    agencies: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period starts ({self.start}) after it ends ({self.end})")

    def with_period(self, start: date, end: date) -> Filters:
        """The same selections over another period."""
        return replace(self, start=start, end=end)

    def to_query_params(self) -> dict[str, list[str]]:
        """The URL query parameters that reproduce this view (as the sidebar widgets write them)."""
        names = {
            REGION: (self.regions, reference.labels("region")),
            FORCE: (self.forces, reference.labels("force")),
            FAMILY: (self.families, reference.FAMILIES),
            CRIME_TYPE: (self.crime_types, reference.labels("crime_type")),
            AGENCY: (self.agencies, reference.labels("agency")),
        }
        params: dict[str, list[str]] = {PERIOD: [month_key(self.start), month_key(self.end)]}
        for key, (codes, labels) in names.items():
            if codes:
                params[key] = [labels[c] for c in codes]
        return params

    def period_text(self) -> str:
        """'Nov 2024 to Oct 2026': the months the view covers, both included."""
        return f"{self.start:%b %Y} to {self.end:%b %Y}"

    def describe(self) -> str:
        """The selections in words, every one named ('all' when nothing is chosen), for the stamp on
        a download: 'Regions: London; Force areas: all; ...'."""
        parts = {
            "Regions": (self.regions, reference.labels("region")),
            "Force areas": (self.forces, reference.labels("force")),
            "Crime families": (self.families, reference.FAMILIES),
            "Crime types": (self.crime_types, reference.labels("crime_type")),
            "Lead agencies": (self.agencies, reference.labels("agency")),
        }
        return "; ".join(
            f"{name}: {', '.join(labels.get(c, c) for c in codes) if codes else 'all'}"
            for name, (codes, labels) in parts.items()
        )


DEFAULT_MONTHS = 24  # the sidebar's period before anything is chosen: the data's last 24 months


def default_view(first_month: date, last_month: date) -> Filters:
    """The sidebar's view before anything is chosen, for data spanning first_month..last_month:
    its last DEFAULT_MONTHS months, nothing narrowed."""
    return Filters(max(first_month, add_months(last_month, 1 - DEFAULT_MONTHS)), last_month)
