"""The monthly report: its figures against independent computations, disclosure control checked by
the adversary on every table, the three formats as a reader opens them, and the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys

import openpyxl
import polars as pl
import pytest

from msoic import db, report
from msoic.report import html, xlsx
from tests import independent_benchmark as ib
from tests import independent_people as ip
from tests.independent import View, counts, events, reference, shift
from tests.independent_disclosure import disclosed
from tests.independent_operations import month_flags

LIMIT = 5
PRODUCED = "2026-11-30 12:00:00 UTC"


@pytest.fixture(scope="module")
def con(db_path):
    connection = db.connect_readonly(db_path)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def national(con, last_month):
    return report.national(con, last_month, produced_at=PRODUCED)


@pytest.fixture(scope="module")
def packs(con, last_month):
    return {r: report.regional(con, last_month, r, produced_at=PRODUCED) for r in ("north-west", "london")}


def table(rep, key: str) -> pl.DataFrame:
    return next(t.frame for t in rep.tables() if t.key == key)


def shown(text: str, expected: float) -> None:
    """A published cell is the true value, or [c] exactly when a small count (or a secondary) hides it."""
    if text == "[c]":
        assert expected > 0, "zero is never hidden"
    else:
        assert float(text) == pytest.approx(expected, abs=0.051), (text, expected)
        assert not 0 < expected <= LIMIT or isinstance(expected, float), f"{expected} shown"


# --- Disclosure: the adversary on every table ---------------------------------------------------


def every_table(national, packs):
    yield from (("national", t) for t in national.tables())
    for region, pack in packs.items():
        yield from ((region, t) for t in pack.tables())


def test_no_hidden_cell_of_any_report_table_can_be_worked_out_from_its_totals(national, packs):
    checked = 0
    for where, t in every_table(national, packs):
        if t.frame[t.label][-1] == "Total" and "[c]" in t.frame.drop(t.label).to_numpy().ravel():
            assert not disclosed(t.frame, t.label), f"{where}: {t.title}"
            checked += 1
    assert checked >= 5, "the adversary checked the tables that hide cells"


def test_no_count_from_1_to_5_is_shown_in_a_table_of_counts(national, packs):
    for where, t in every_table(national, packs):
        if t.frame[t.label][-1] != "Total":
            continue
        for value in t.frame.drop(t.label).to_numpy().ravel():
            if value not in ("[c]", "[x]") and "." not in value:
                assert not 1 <= int(value) <= LIMIT, f"{where}: {t.title} shows {value}"


# --- The national report's figures against the raw tables ---------------------------------------


def test_headline_figures_equal_the_raw_tables(national, raw, last_month):
    frame = table(national, "Headline")
    view = View(shift(last_month, -12), last_month)
    now, before, year = (
        counts(raw, view, m) for m in (last_month, shift(last_month, -1), shift(last_month, -12))
    )
    labels = {
        "Live operations": "live_ops",
        "New operations": "new_ops",
        "Victims identified": "victims",
        "Child victims": "child_victims",
        "NRM referrals": "nrm_referrals",
        "Arrests": "arrests",
        "Charges": "charges",
    }
    assert frame["Measure"].to_list() == list(labels)
    for row in frame.rows():
        m = labels[row[0]]
        shown(row[1], now[m]), shown(row[2], before[m]), shown(row[4], year[m])
        if "[c]" not in (row[1], row[2]):
            assert int(row[3]) == now[m] - before[m]
        if "[c]" not in (row[1], row[4]):
            assert int(row[5]) == now[m] - year[m]


@pytest.mark.parametrize(
    "key,measure", [("Live by type and region", "live_ops"), ("New by type and region", "new_ops")]
)
def test_operations_by_crime_type_and_region_equal_the_raw_tables(national, raw, last_month, key, measure):
    frame = table(national, key)
    e = events(raw, View(last_month, last_month)).filter(
        (pl.col("measure") == measure) & (pl.col("month") == last_month)
    )
    cells = {(t, r): n for t, r, n in e.group_by("crime_type", "region_code").len().iter_rows()}
    types = reference("crime_type")
    regions = reference("region")
    for i, code in enumerate(types["crime_type_code"]):
        assert frame["Crime type"][i] == types["label"][i]
        for region, name in zip(regions["region_code"], regions["name"]):
            shown(frame[name][i], cells.get((code, region), 0))
        shown(frame["National / non-territorial"][i], cells.get((code, None), 0))  # no force area, no region
    assert frame["Total"][-1] == str(e.height)


def test_emerging_changes_are_the_months_flags(national, raw, last_month):
    frame = table(national, "Emerging changes")
    first = raw["operation_month"]["month"].min()
    flags = month_flags(raw, View(last_month, last_month), first, last_month)
    assert frame.height == len(flags)


def test_victims_by_sex_and_age_equal_the_raw_tables(national, raw, last_month):
    frame = table(national, "Victims by sex and age")
    victims = ip.victims_in_view(raw, View(shift(last_month, -11), last_month))
    cells = ip.count_by(victims, "sex", "age_group")
    for i, sex in enumerate(["male", "female", "other", "unknown"]):
        for age, column in (("child", "Child"), ("adult", "Adult"), ("unknown", "Age not known")):
            shown(frame[column][i], cells.get((sex, age), 0))
    assert frame["Total"][-1] == str(victims.height)


def test_nationalities_are_the_ten_largest_and_the_rest(national, raw, last_month):
    frame = table(national, "Victims by nationality")
    victims = ip.victims_in_view(raw, View(shift(last_month, -11), last_month))
    by_nation = ip.count_by(victims, "nationality")
    top = ip.ranked(by_nation, 10)
    names = ip.nationality_names()
    grouped = ip.grouped(by_nation, top)
    assert frame["Nationality"].to_list()[:10] == [names[c] for c in top]
    for name, value in zip(frame["Nationality"][:-1], frame["Victims"][:-1]):
        code = next(c for c in grouped if names[c] == name)
        shown(value, grouped[code])


def test_nrm_referral_equals_the_raw_tables(national, raw, last_month):
    frame = table(national, "NRM referral")
    victims = ip.victims_in_view(raw, View(shift(last_month, -11), last_month))
    ages = {"Adult": "adult", "Child": "child", "Age not known": "unknown"}
    for row in frame.filter(pl.col("Age group") != "Total").iter_rows(named=True):
        part = victims.filter(pl.col("age_group") == ages[row["Age group"]])
        referred = part.filter(pl.col("nrm_referred")).height
        shown(row["Referred"], referred), shown(row["Identified"], part.height)
        if row["Referred, %"] != "[c]":
            assert float(row["Referred, %"]) == pytest.approx(100 * referred / part.height, abs=0.051)


def test_justice_outcomes_add_up_to_the_offenders_recorded(national, raw, last_month):
    frame = table(national, "Justice outcomes")
    offenders = ip.offenders_in_view(raw, View(shift(last_month, -11), last_month))
    types = reference("crime_type")
    for i, code in enumerate(types["crime_type_code"]):
        s = ip.stage_counts(offenders.filter(pl.col("crime_type") == code))
        shown(frame["Recorded"][i], s["recorded"])
        shown(frame["Convicted"][i], s["convicted"])
        shown(frame["Arrested, not charged"][i], s["arrested"] - s["charged"])
    assert frame["Recorded"][-1] == str(offenders.height)


def test_nrm_referral_delay_and_justice_intervals_equal_the_raw_tables(national, raw, last_month):
    view = View(shift(last_month, -11), last_month)
    referred = ip.victims_in_view(raw, view).filter(pl.col("nrm_referred"))
    days = sorted((r - i).days for i, r in referred.select("identified_on", "nrm_referred_on").iter_rows())
    row = table(national, "NRM referral delay").row(0, named=True)
    assert int(row["Victims referred"]) == len(days)
    assert (
        float(row["Lower quartile, days"]),
        float(row["Median, days"]),
        float(row["Upper quartile, days"]),
    ) == pytest.approx(ip.quartiles(days), abs=0.051)
    offenders = ip.offenders_in_view(raw, view)
    medians = ip.interval_medians(offenders)
    intervals = table(national, "Justice intervals")
    for name, label in (
        ("arrest_to_charge", "Arrest to charge"),
        ("opening_to_arrest", "Operation opened to arrest"),
    ):
        got = intervals.filter(pl.col("Interval") == label).row(0, named=True)
        assert float(got["Median, days"]) == pytest.approx(medians[name], abs=0.051)


def test_offenders_by_sex_equal_the_raw_tables(national, raw, last_month):
    offenders = ip.offenders_in_view(raw, View(shift(last_month, -11), last_month))
    by_sex = ip.count_by(offenders, "sex")
    frame = table(national, "Offenders by sex")
    names = {"Male": "male", "Female": "female", "Other": "other", "Sex not known": "unknown"}
    for name, value in frame.filter(pl.col("Sex") != "Total").iter_rows():
        shown(value, by_sex.get(names[name], 0))
    assert frame["Offenders"][-1] == str(offenders.height)


def test_the_returns_behind_the_month_equal_the_submissions(national, raw, db_path, last_month):
    from collections import Counter

    from tests import independent_returns as ir

    states = Counter(ir.states(raw, ir.submissions(db_path), last_month, last_month).values())
    frame = dict(table(national, "Returns").iter_rows())
    for label, state in (
        ("On time", "on time"),
        ("Late", "late"),
        ("Missing", "missing"),
        ("Not yet due", "not yet due"),
    ):
        assert int(frame[label]) == states[state], label
    listed = table(national, "Late and missing")
    assert listed.height == states["late"] + states["missing"] + states["not yet due"]


# --- The regional pack's figures against the raw tables -----------------------------------------


def test_regional_counts_and_rates_equal_the_raw_tables(packs, raw, last_month):
    view = View(shift(last_month, -11), last_month)
    per_force = ib.force_counts(raw, view)
    forces = reference("force").filter(pl.col("region_code") == "north-west")
    names = dict(zip(forces["force_code"], forces["name"]))
    frame = table(packs["north-west"], "Counts")
    rates = table(packs["north-west"], "Rates and ranks")
    for row in frame.filter(pl.col("Force area") != "Total").iter_rows(named=True):
        code = next(c for c, n in names.items() if n == row["Force area"])
        shown(row["Victims identified"], per_force[code]["victims"])
        shown(row["Arrests"], per_force[code]["arrests"])
        rate = rates.filter(pl.col("Force area") == row["Force area"]).row(0, named=True)
        if rate["Victims identified per 100,000"] != "[c]":
            assert float(rate["Victims identified per 100,000"]) == pytest.approx(
                ib.value(per_force[code], "victims_rate"), abs=0.051
            )
        else:
            assert row["Victims identified"] == "[c]", "a rate is hidden with its count"
    total = ib.summed(per_force, list(names))
    assert frame["Victims identified"][-1] == str(total["victims"])


def test_what_changed_equals_the_raw_tables(packs, raw, last_month):
    forces = reference("force").filter(pl.col("region_code") == "north-west")["force_code"].to_list()
    frame = table(packs["north-west"], "What changed")
    for column, month in ((1, last_month), (2, shift(last_month, -1)), (4, shift(last_month, -12))):
        total = ib.total_counts(raw, View(month, month), forces)  # each operation once in the region
        for label, key in (
            ("Live operations", "live_ops"),
            ("Victims identified", "victims"),
            ("Arrests", "arrests"),
            ("Charges", "charges"),
        ):
            shown(frame.filter(pl.col("Measure") == label).row(0)[column], total[key])


def test_the_scorecard_equals_the_raw_tables(packs, raw, db_path, last_month):
    view = View(shift(last_month, -2), last_month)
    values = ib.scorecard_values(raw, db_path, view, view.start, last_month, "north-west")
    plan = reference("action_plan")
    metric_of = dict(zip(plan["label"], plan["metric"]))
    units = {
        **dict(zip(reference("force")["name"], reference("force")["force_code"])),
        "North West (region)": "north-west",
        "National (45 force areas)": "nation",
    }
    checked = 0
    for row in table(packs["north-west"], "Scorecard").iter_rows(named=True):
        metric = metric_of[row["Indicator"]]
        value, n = values[metric].get(units[row["Force or area"]], (None, 0))
        shown(row["Cases"], n)
        if row["Value"] not in ("[c]", "[x]"):
            scale = 1 if metric == "days_to_first_arrest" else 100
            assert float(row["Value"]) == pytest.approx(value * scale, abs=0.051), (row, value)
            checked += 1
    assert checked > 10


def test_funnel_plots_leave_out_forces_whose_count_is_hidden(packs, raw, last_month):
    per_force = ib.force_counts(raw, View(shift(last_month, -11), last_month))
    pack = packs["london"]
    chart = next(c for s in pack.sections for c in s.charts if c.key == "funnel-victims_rate")
    plotted = {p[0] for trace in chart.figure.data if trace.customdata is not None for p in trace.customdata}
    small = {f for f, c in per_force.items() if 1 <= c["victims"] <= LIMIT}
    assert plotted and not plotted & small
    # A force of another region whose count its own pack hides is not plotted either (its rate
    # times its population would give the count away there).
    counts_nw = table(packs["north-west"], "Counts")
    names = dict(zip(reference("force")["name"], reference("force")["force_code"]))
    hidden_nw = {
        names[n] for n, v in zip(counts_nw["Force area"], counts_nw["Victims identified"]) if v == "[c]"
    }
    assert not plotted & hidden_nw


# --- Formats ------------------------------------------------------------------------------------


def test_html_is_one_offline_file_and_the_same_for_the_same_data(national, con, last_month):
    page = html.render(national)
    assert page.count("Plotly.newPlot(") == sum(len(s.charts) for s in national.sections)
    assert "<script src" not in page and "<link" not in page and "cdn." not in page.split("<body>")[1]
    assert "Synthetic data" in page and national.data_version in page and PRODUCED in page
    again = report.national(con, last_month, produced_at="another time")
    assert html.render(again).replace("another time", PRODUCED) == page


def test_every_chart_of_every_report_is_a_trace_type_of_the_bundle_it_carries(national, packs):
    """The HTML carries plotly.js's finance bundle, not the full one: a chart of another trace type
    (a heatmap, say) would be drawn as an empty frame."""
    bundled = {"bar", "candlestick", "funnel", "funnelarea", "histogram", "indicator", "ohlc", "pie"}
    bundled |= {"scatter", "waterfall"}  # as its README names them
    drawn = {
        trace.type
        for rep in (national, *packs.values())
        for section in rep.sections
        for chart in section.charts
        for trace in chart.figure.data
    }
    assert drawn and drawn <= bundled, drawn - bundled
    assert "plotly.js (finance - minified)" in html.plotly_js()[:200]


def test_xlsx_is_published_tables_and_the_same_for_the_same_data(national, con, last_month, tmp_path):
    body = xlsx.render(national)
    again = report.national(con, last_month, produced_at=PRODUCED)
    assert xlsx.render(again) == body, "byte for byte, the production time being equal"
    path = tmp_path / "r.xlsx"
    path.write_bytes(body)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    cover = [c for row in book["Cover"].iter_rows(values_only=True) for c in row if c]
    assert (
        any("Synthetic data" in str(c) for c in cover)
        and PRODUCED in cover
        and national.data_version in cover
    )
    tables = [t for t in national.tables() if t.key != "Notes"]
    assert len(book.sheetnames) == 3 + len(tables)
    for t, name in zip(tables, book.sheetnames[3:]):
        sheet = book[name]
        assert not sheet.merged_cells.ranges
        assert sheet.freeze_panes == "B6"
        assert "Synthetic data" in sheet["A2"].value
        header = [c.value for c in sheet[5]]
        assert header == t.frame.columns
        rows = [list(r) for r in sheet.iter_rows(min_row=6, values_only=True)]
        for row in rows:
            for value in row[1:]:
                assert (
                    isinstance(value, (int, float))
                    or value is None
                    or not value.replace(".", "").lstrip("+-").isdigit()
                )
        if rows and rows[-1][0] == "Total":  # every column sums to its total where nothing is hidden
            for j in range(1, len(header)):
                column = [r[j] for r in rows]
                if all(isinstance(v, (int, float)) for v in column) and "%" not in header[j]:
                    assert sum(column[:-1]) == column[-1], (t.title, header[j])


def test_xlsx_text_cells_never_start_a_formula():
    assert xlsx.cell_value("12") == 12 and xlsx.cell_value("[c]") == "[c]" and xlsx.cell_value("-3") == -3


@pytest.mark.skipif(
    not shutil.which("chromium") or not shutil.which("pdftotext"), reason="needs chromium and pdftotext"
)
def test_pdf_holds_the_headline_figures_page_numbers_and_the_synthetic_label(national, tmp_path):
    pdf = report.render(national, "pdf")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 5 and all("Synthetic data" in p for p in pages)
    assert all(f"Page {i} of {len(pages)}" in p for i, p in enumerate(pages, start=1))
    headline = table(national, "Headline")
    for row in headline.rows():
        assert row[0] in text and row[1] in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert "A4" in info


# --- Command line -------------------------------------------------------------------------------


def cli(*args: str, db_path, **env) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "msoic", "report", *args, "--db", str(db_path)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["--month", "2099-01"], "2099-01 is outside the data, which runs from"),
        (["--month", "LAST", "--region", "atlantis"], "'atlantis' is not a region code"),
        (["--month", "LAST", "--format", "docx"], "Unknown report format docx"),
    ],
)
def test_bad_input_is_a_sentence_and_writes_nothing(db_path, last_month, tmp_path, args, message):
    args = [a.replace("LAST", f"{last_month:%Y-%m}") for a in args]
    done = cli(*args, "--out", str(tmp_path), db_path=db_path)
    assert done.returncode != 0 and message in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())


def test_an_output_folder_that_is_a_file_or_missing_is_refused(db_path, last_month, tmp_path):
    afile = tmp_path / "file"
    afile.write_text("")
    for out, message in ((afile, "is a file, not a folder"), (tmp_path / "none", "does not exist")):
        done = cli("--month", f"{last_month:%Y-%m}", "--out", str(out), db_path=db_path)
        assert done.returncode == 2 and message in done.stderr


def test_without_chromium_the_pdf_is_refused_in_a_sentence_and_nothing_is_written(
    db_path, last_month, tmp_path
):
    done = cli(
        "--month",
        f"{last_month:%Y-%m}",
        "--format",
        "html,pdf",
        "--out",
        str(tmp_path),
        db_path=db_path,
        MSOIC_CHROMIUM=str(tmp_path / "no-chromium"),
    )
    assert done.returncode == 1 and "PDF needs Debian's chromium" in done.stderr
    assert not list(tmp_path.iterdir()), "the HTML rendered first is not left behind"


def test_the_command_writes_the_national_report_and_every_regional_pack(db_path, last_month, tmp_path):
    month = f"{last_month:%Y-%m}"
    done = cli("--month", month, "--format", "html,xlsx", "--out", str(tmp_path), db_path=db_path)
    assert done.returncode == 0, done.stderr
    done = cli(
        "--month", month, "--region", "all", "--format", "xlsx", "--out", str(tmp_path), db_path=db_path
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    regions = reference("region")["region_code"].to_list()
    assert names == sorted(
        [f"SYNTHETIC-msoic-national-{month}.html", f"SYNTHETIC-msoic-national-{month}.xlsx"]
        + [f"SYNTHETIC-msoic-{r}-{month}.xlsx" for r in regions]
    )
