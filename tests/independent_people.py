"""Independent answers for the Victims and Offenders pages, from the raw tables in plain Polars
and Python (statistics.median / quantiles), reusing neither the queries nor msoic.analysis.

Also the AppTest helpers these pages need: charts and tables found by key or columns, and a
chart selection made the way the browser makes it.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import date

import polars as pl

from tests.independent import View, operations_in_view, reference

OTHER = "Other"


def nationality_names() -> dict[str, str]:
    frame = reference("nationality")
    return {**dict(zip(frame["code"], frame["name"])), OTHER: "Other nationalities"}


# Victims -------------------------------------------------------------------------------------


def victims_in_view(
    raw: dict[str, pl.DataFrame], view: View, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Victims identified in the view's months (or start..end), in operations the view selects."""
    first, last = start or view.start, end or view.end
    victims = raw["victim"].with_columns(pl.col("identified_on").dt.truncate("1mo").alias("month"))
    victims = victims.filter((pl.col("month") >= first) & (pl.col("month") <= last))
    return victims.join(operations_in_view(raw, view), on="operation_id")


def count_by(frame: pl.DataFrame, *keys: str) -> dict:
    """{key or key tuple: rows}."""
    out = {}
    for row in frame.group_by(list(keys)).len().iter_rows():
        out[row[0] if len(keys) == 1 else tuple(row[:-1])] = row[-1]
    return out


def ranked(counts: dict[str, int], n: int) -> list[str]:
    """The n largest keys, largest first, ties by code."""
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:n]


def grouped(counts: dict[str, int], kept: list[str]) -> dict[str, int]:
    """counts with keys outside `kept` summed as OTHER (absent when nothing is left over)."""
    out = Counter()
    for k, n in counts.items():
        out[k if k in kept else OTHER] += n
    return dict(out)


def expand(frequencies: dict[int, int]) -> list[int]:
    return sorted(v for v, n in frequencies.items() for _ in range(n))


def quartiles(values: list[int]) -> tuple[float, float, float]:
    """Lower quartile, median, upper quartile by linear interpolation (numpy's default)."""
    if len(values) == 1:
        return (values[0],) * 3
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, statistics.median(values), q3


# Offenders -------------------------------------------------------------------------------------


def offenders_in_view(raw: dict[str, pl.DataFrame], view: View) -> pl.DataFrame:
    """Offenders of the operations the view selects that were reported in a month of the period."""
    months = raw["operation_month"]
    reported = months.filter((pl.col("month") >= view.start) & (pl.col("month") <= view.end))
    ops = operations_in_view(raw, view).filter(
        pl.col("operation_id").is_in(reported["operation_id"].unique().to_list())
    )
    opened = raw["operation"].select("operation_id", "opened_on")
    return raw["offender"].join(ops, on="operation_id").join(opened, on="operation_id")


def days_between(frame: pl.DataFrame, begin: str, end: str) -> list[int]:
    """Days from `begin` to `end` for the rows that have both, as plain Python."""
    return [(b - a).days for a, b in frame.select(begin, end).iter_rows() if a is not None and b is not None]


INTERVALS = {
    "opening_to_arrest": ("opened_on", "arrested_on"),
    "arrest_to_charge": ("arrested_on", "charged_on"),
    "charge_to_conviction": ("charged_on", "convicted_on"),
    "opening_to_charge": ("opened_on", "charged_on"),
}


def stage_counts(frame: pl.DataFrame) -> dict[str, int]:
    return {
        "recorded": frame.height,
        "arrested": sum(d is not None for d in frame["arrested_on"]),
        "charged": sum(d is not None for d in frame["charged_on"]),
        "convicted": sum(d is not None for d in frame["convicted_on"]),
    }


def interval_medians(frame: pl.DataFrame) -> dict[str, float | None]:
    out = {}
    for name, (a, b) in INTERVALS.items():
        values = days_between(frame, a, b)
        out[name] = statistics.median(values) if values else None
    return out


def victims_also_offenders(raw: dict[str, pl.DataFrame], view: View) -> dict[str, dict]:
    """{person_ref: facts} for the offenders in view who are also recorded as victims anywhere."""
    offenders = offenders_in_view(raw, view)
    victims = raw["victim"]
    refs = set(offenders["person_ref"]) & set(victims["person_ref"])
    out = {}
    for ref in refs:
        v = victims.filter(pl.col("person_ref") == ref)
        f = offenders.filter(pl.col("person_ref") == ref)
        out[ref] = {
            "first_identified_on": min(v["identified_on"]),
            "child_victim": "child" in set(v["age_group"]),
            "exploitation_types": sorted(set(v["exploitation_type"])),
            "roles": sorted(set(f["role"])),
            "charged": any(d is not None for d in f["charged_on"]),
            "same_operation": bool(set(v["operation_id"]) & set(f["operation_id"])),
        }
    return out


# AppTest helpers ---------------------------------------------------------------------------------


def chart(at, key: str) -> dict:
    """The Plotly figure (as the browser receives it) of the chart with this key."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"no chart keyed {key!r}: {[c.proto.id for c in at.get('plotly_chart')]}"
    return json.loads(found[0].proto.spec)


def table(at, *columns: str):
    """The one st.dataframe (as pandas) holding all these columns."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, f"{len(found)} tables with columns {columns}"
    return found[0]


def select_points(at, key: str, codes: list[str]):
    """Select the points whose customdata are `codes` on the chart keyed `key`, as a click in the
    browser would (the chart's widget state changes and its on_select callback runs); rerun."""
    element = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}"))
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = element.proto.id
    points = [
        {"customdata": code, "curve_number": 0, "point_number": i, "point_index": i}
        for i, code in enumerate(codes)
    ]
    state.string_value = json.dumps(
        {"selection": {"points": points, "point_indices": list(range(len(codes))), "box": [], "lasso": []}}
    )
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


def url_values(at, key: str) -> list[str]:
    """The values of one URL query parameter (AppTest gives a lone value as a string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)
