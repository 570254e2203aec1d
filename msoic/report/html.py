"""A report as one self-contained HTML file: plotly.js (its finance bundle) inline once, every chart embedded, no network.

Every value is escaped (data is never markup). Chart element ids are the chart keys, so the same
report gives the same bytes. `for_print` adds what the PDF needs: A4 pages numbered in the
margin, charts drawn as static vectors, patterns that read in black and white.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from html import escape
from pathlib import Path

import plotly.io as pio

from msoic.disclosure import SYMBOLS
from msoic.report.model import Chart, Report, Section, Table

SYNTHETIC = "Synthetic data — generated, not real operations, victims or offenders"

STYLE = """
html { background: #fff; color-scheme: light; }  /* a printed document, in the dark page's preview too */
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #0b0c0c; margin: 2rem auto; max-width: 1100px;
       padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.3rem; border-top: 2px solid #0b0c0c; padding-top: .6rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
.synthetic { border: 3px solid #0b0c0c; background: #fff4c2; font-weight: bold; padding: .4rem .7rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: bold; }
table { border-collapse: collapse; margin: .4rem 0 .3rem; font-size: .85rem; }
caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
th, td { border: 1px solid #b1b4b6; padding: .2rem .45rem; }
th { background: #f3f2f1; text-align: left; vertical-align: bottom; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #0b0c0c; }
.note { font-size: .8rem; color: #505a5f; margin-top: 0; }
figure { margin: .5rem 0 1rem; } figcaption { font-size: .8rem; color: #505a5f; }
.chart { width: 100%; }
nav ol { padding-left: 1.3rem; }
"""

PRINT_STYLE = """
@page { size: A4; margin: 16mm 12mm 18mm;
        @top-center { content: "HEADER"; font-size: 8pt; font-weight: bold; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }
        @bottom-left { content: "FOOTER"; font-size: 8pt; } }
body { margin: 0; max-width: none; font-size: 10pt; }
h2 { break-before: page; } h2.first { break-before: auto; } h3, caption { break-after: avoid; }
table { font-size: 7.5pt; break-inside: auto; min-width: 55%; } tr { break-inside: avoid; } thead { display: table-header-group; }
figure { break-inside: avoid; } .chart { width: 680px; }
"""


# plotly.js's finance bundle (msoic/report/vendor/README.md): every trace type the report draws,
# a quarter of the full bundle's size and of its evaluation time in a browser.
PLOTLY_BUNDLE = Path(__file__).with_name("vendor") / "plotly-finance.min.js"


@cache
def plotly_js() -> str:
    """The plotly.js bundle the report carries inline (no CDN)."""
    return PLOTLY_BUNDLE.read_text()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    numeric = text in SYMBOLS or text.replace(",", "").lstrip("+-").replace(".", "", 1).isdigit()
    return f'<td class="n">{escape(text)}</td>' if numeric else f"<td>{escape(text)}</td>"


def table_html(table: Table) -> str:
    """A table with its caption and note; the Total row marked."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in table.frame.columns)
    rows = []
    for row in table.frame.rows():
        first, rest = row[0], row[1:]
        css = ' class="total"' if first == "Total" else ""
        rows.append(
            f'<tr{css}><th scope="row">{escape(str(first))}</th>{"".join(_cell(v) for v in rest)}</tr>'
        )
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (
        f'<table id="table-{escape(_slug(table.key))}"><caption>{escape(table.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower())


# A report's HTML and its PDF are rendered at once (msoic.report.write), from the same Plotly figures:
# a figure copied for print in one thread while the other serialises it raised "dictionary changed
# size during iteration" (seen once in a full test run). One chart at a time; the printing is what takes long.
_FIGURES = threading.Lock()


def chart_html(chart: Chart, for_print: bool) -> str:
    """A chart as a div and the script that draws it from its JSON (no random ids)."""
    with _FIGURES:
        figure = chart.figure
        height = figure.layout.height or 450
        if for_print:  # a fixed size that fits the A4 text width, so nothing overlaps what follows
            figure = grey_friendly(figure)
            height = min(height, 470)
            figure.update_layout(width=680, height=height)
        spec = json.loads(pio.to_json(figure, validate=False))
    config = {"displaylogo": False, "responsive": not for_print, "staticPlot": for_print}
    div = f"chart-{_slug(chart.key)}"
    script = f"Plotly.newPlot({_js(div)}, {_js(spec['data'])}, {_js(spec.get('layout', {}))}, {_js(config)});"
    return (
        f"<h3>{escape(chart.title)}</h3>"
        f'<figure><div id="{div}" class="chart" style="height:{height}px" role="img" aria-label="{escape(chart.description)}"></div>'
        f"<figcaption>{escape(chart.description)}</figcaption>"
        f"<script>{script}</script></figure>"
    )


def _js(value: object) -> str:
    """JSON safe inside a <script> element: <, > and & escaped, so no data can close or open a tag."""
    text = json.dumps(value, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def grey_friendly(figure):
    """The figure with bar patterns and line dashes, so its series differ in black and white."""
    figure = type(figure)(figure)
    shapes, dashes = ["", "/", ".", "x", "\\", "+", "-", "|"], ["solid", "dash", "dot", "dashdot", "longdash"]
    bars = [t for t in figure.data if t.type == "bar"]
    for i, trace in enumerate(bars):
        trace.marker.pattern.shape = shapes[i % len(shapes)]
    lines = [
        t for t in figure.data if t.type == "scatter" and t.mode and "lines" in t.mode and t.line.dash is None
    ]
    for i, trace in enumerate(lines):
        trace.line.dash = dashes[i % len(dashes)]
    return figure


def section_html(section: Section, for_print: bool, first: bool) -> str:
    """A section: heading, paragraphs, charts, tables."""
    css = ' class="first"' if first else ""
    parts = [f'<h2 id="{section.key}"{css}>{escape(section.title)}</h2>']
    parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    parts += [chart_html(c, for_print) for c in section.charts]
    parts += [table_html(t) for t in section.tables]
    return "\n".join(parts)


def render(report: Report, for_print: bool = False) -> str:
    """The whole report as one HTML document."""
    banner = f'<p class="synthetic">{escape(SYNTHETIC)}</p>' if report.synthetic else ""
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report.facts())
    contents = "".join(f'<li><a href="#{s.key}">{escape(s.title)}</a></li>' for s in report.sections)
    style = STYLE
    if for_print:
        header = (SYNTHETIC + " · " if report.synthetic else "") + "MSOIC Analysis"
        style += PRINT_STYLE.replace("HEADER", _css_text(header)).replace("FOOTER", _css_text(report.title))
    has_charts = any(s.charts for s in report.sections)
    script = f"<script>{plotly_js()}</script>" if has_charts else ""
    body = "\n".join(section_html(s, for_print, i == 0) for i, s in enumerate(report.sections))
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{escape(report.title)}</title><style>{style}</style>{script}</head>
<body>
{banner}
<h1>{escape(report.title)}</h1>
<dl class="facts">{facts}</dl>
<nav aria-label="Contents"><h2 class="first" id="contents">Contents</h2><ol>{contents}</ol></nav>
{body}
{banner}
</body></html>
"""


def _css_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
