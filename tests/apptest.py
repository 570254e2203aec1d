"""Running the app under Streamlit's AppTest at a given view, and reading what it shows."""

from __future__ import annotations

import json
import re

import polars as pl
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from tests.conftest import APP
from tests.independent import View

# An [auth] section as a deployment has one (AppTest never contacts the provider).
AUTH = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "t" * 32,
        "client_id": "msoic-tests",
        "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}


def signed_in(at: AppTest, email: str | None, groups: tuple[str, ...] = ()) -> AppTest:
    """Configure sign-in ([auth]) on `at` and preset st.user: signed in as `email`, or signed out (None)."""
    at.secrets.update(AUTH)
    at.user = (
        {"is_logged_in": True, "email": email, "sub": f"sub-{email}", "groups": list(groups)}
        if email
        else {"is_logged_in": False}
    )
    return at


def open_app(
    view: View | None = None, page: str | None = None, params: dict | None = None, user: str | None = None
) -> AppTest:
    """Run app.py (and `page`) with the URL query parameters of `view` and `params`, signed in as
    `user` when given (sign-in configured); fail on any exception."""
    at = AppTest.from_file(APP, default_timeout=180)
    if user:
        signed_in(at, user)
    if view is not None:
        for key, values in view.query_params().items():
            at.query_params[key] = values
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


_OPENED: dict = {}


def open_once(view: View, page: str | None = None, params: dict | None = None) -> AppTest:
    """`open_app`, run once per session for each (view, page, params): for tests that only read."""
    key = (view, page, tuple(sorted((params or {}).items())))
    if key not in _OPENED:
        _OPENED[key] = open_app(view, page, params)
    return _OPENED[key]


def plotly_figures(at: AppTest) -> list[dict]:
    """Every Plotly chart on the screen, top to bottom, as the figure dict the browser receives."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def vega_charts(at: AppTest) -> list[tuple[dict, pl.DataFrame]]:
    """Every Vega-Lite chart on the screen, top to bottom: its spec and the data the browser receives."""
    return [
        (json.loads(c.proto.spec), pl.from_arrow(pa.ipc.open_stream(c.proto.data.data).read_all()))
        for c in at.get("vega_lite_chart")
    ]


def vega_keys(at: AppTest) -> set[str]:
    """The keys of the Vega-Lite charts on the screen (msoic.ui.vega_charts.draw names a spec by it)."""
    return {spec.get("name") for spec, _ in vega_charts(at)}


def vega_chart(at: AppTest, key: str) -> tuple[dict, pl.DataFrame]:
    """The spec and data of the Vega-Lite chart with this key."""
    found = [chart for chart in vega_charts(at) if chart[0].get("name") == key]
    assert len(found) == 1, f"no Vega-Lite chart keyed {key!r}: {vega_keys(at)}"
    return found[0]


def monthly_series(chart: tuple[dict, pl.DataFrame]) -> dict[str, dict]:
    """A monthly Vega-Lite chart's series by name, in the order of its colours (a stack from the
    foot up, then any line): months (as 'YYYY-MM-DD') and values."""
    spec, data = chart
    value = spec["encoding"]["y"]["field"]
    return {
        name: {"x": [m.isoformat() for m in part["month"]], "y": part[value].to_list()}
        for name in spec["encoding"]["color"]["scale"]["domain"]
        for part in [data.filter(pl.col("series") == name).sort("month")]
    }


def traces(figure: dict) -> dict[str, dict]:
    """A Plotly figure's data traces by name (x as 'YYYY-MM-DD' strings, y as numbers)."""
    return {t["name"]: t for t in figure["data"] if t.get("meta") != "context"}


def trend_charts(at: AppTest) -> list[tuple[dict, pl.DataFrame]]:
    """The Trends chart, or its small charts one per group (keyed 'trend' or 'trend_<n>'), top to bottom."""
    return [chart for chart in vega_charts(at) if re.fullmatch(r"trend(_\d+)?", chart[0].get("name", ""))]


def trend_lines(at: AppTest, kind: str = "line") -> dict[str, dict]:
    """The Trends lines by name, read from the data of its chart(s) as the browser receives it:
    x (each period's first month, 'YYYY-MM-DD'), y (None for a gap), partial and described (what
    hovering a point says); `kind` 'context' gives the faint lines behind a rolling mean instead."""
    rows = pl.concat([data for _, data in trend_charts(at)]).filter(pl.col("kind") == kind)
    return {
        name: {
            "x": [m.isoformat() for m in part["month"]],
            "y": part["value"].to_list(),
            "partial": part["partial"].to_list(),
            "described": part["described"].to_list(),
        }
        for (name,), part in rows.sort("month").group_by("series", maintain_order=True)
    }


def trend_flags(at: AppTest) -> pl.DataFrame:
    """The emerging-change triangles on the Trends chart(s): group, series, month, value, direction, described."""
    rows = pl.concat([data for _, data in trend_charts(at)]).filter(pl.col("kind") == "flag")
    return rows.select("group", "series", "month", "value", "direction", "described")


def shown(markdown: str) -> str:
    """What a reader sees of Markdown text that carries free text escaped (msoic.ui.text.plain)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")  # escapes and word joiners unseen


def signed_number(text: str) -> int:
    """The leading signed integer of a change text ('+1,234 (+5%)' -> 1234; 'no change' -> 0)."""
    if text.startswith("no change"):
        return 0
    match = re.match(r"([+-][\d,]+)", text)
    assert match, text
    return int(match.group(1).replace(",", ""))
