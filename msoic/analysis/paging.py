"""Paging and sorting of long tables on the server: what a request asks for, made safe."""

from __future__ import annotations

PAGE_SIZE = 100  # rows sent to the browser at a time
MAX_PAGES = 100_000  # the page control's bound (10 million rows); a link past it gets the first page

# The Operations table's sortable columns (as the SQL names them) and their labels; the default,
# most victims and offenders together first, so the first operation a person opens has something to show.
OPERATION_SORTS = {
    "people": "Most people",
    "opened_on": "Opened",
    "closed_on": "Closed",
    "operation_id": "Operation",
    "codename": "Codename",
    "region": "Region",
    "force_area": "Force area",
    "crime_type": "Crime type",
    "lead_agency": "Lead agency",
    "status": "Status",
    "stage": "Stage",
    "months_reported": "Months reported",
    "victims": "Victims",
    "offenders": "Offenders",
}
DEFAULT_SORT = "people"


def sort_or_default(sort: object) -> str:
    """The sort column asked for if it is one of OPERATION_SORTS, else the default."""
    return sort if isinstance(sort, str) and sort in OPERATION_SORTS else DEFAULT_SORT


def page_count(matching: int, size: int = PAGE_SIZE) -> int:
    """How many pages `matching` rows fill (at least one, so an empty table has page 1)."""
    return max(1, -(-matching // size))


def page_or_first(page: object, matching: int | None = None, size: int = PAGE_SIZE) -> int:
    """The page number asked for if it exists (1 up to the last page of `matching` rows, when
    known), else the first page."""
    try:
        number = int(page)
    except (TypeError, ValueError):
        return 1
    if number < 1 or (matching is not None and number > page_count(matching, size)):
        return 1
    return number


def offset(page: int, size: int = PAGE_SIZE) -> int:
    """The first row of `page` (counted from 0)."""
    return (page - 1) * size
