"""Upload: load this month's returns, see at once what was loaded and what was rejected and why,
and download a template to fill in."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from msoic import db, ingest, logs, reference, template
from msoic.filters import add_months
from msoic.ui import data, signin, text

logs.configure()

RESULTS = "upload_results"  # session state: the outcomes of the last load, shown until the next

st.title("Upload")
st.caption(
    "Load monthly returns: one Excel workbook per agency and month (sheets operations, victims, "
    "offenders), or its three sheets as CSV or Parquet files named …_operations, …_victims, "
    "…_offenders. Good rows load at once; each bad row is set aside with its reasons. "
    "docs/returns.md describes the format."
)


def person_key() -> bytes | None:
    """The key for person references from Streamlit secrets, when set there (else the loader reads
    $MSOIC_PERSON_KEY and refuses when neither is set)."""
    try:
        secret = st.secrets.get(ingest.KEY_ENV)
    except FileNotFoundError:  # no secrets file (StreamlitSecretNotFoundError is one)
        secret = None
    try:
        return ingest.person_key(secret)
    except ingest.Refused:
        return None


def run(files: list, check_only: bool, first_data: bool, replace: bool = False) -> None:
    """Check (and unless `check_only`, load) the uploaded files; keep the outcomes to show. After
    the `first_data` of a database, the app reruns so that every page opens."""
    bar = st.progress(0.0, text="Reading…")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, upload in enumerate(files):
            # One folder, so that the CSV or Parquet sheets of a return are grouped; a second file
            # of the same name goes into a folder of its own and keeps its name.
            path = Path(tmp) / Path(upload.name).name
            if path in paths:
                path = Path(tmp) / str(i) / path.name
                path.parent.mkdir()
            path.write_bytes(upload.getvalue())
            paths.append(path)
        groups = ingest.group(paths)
        outcomes = ingest.load(
            groups,
            db.default_path(),
            names=[[p.name for p in g] for g in groups],
            key=person_key(),
            check_only=check_only,
            replace=replace,
            agencies=signin.scope().upload,
            progress=lambda f, m: bar.progress(min(f, 1.0), text=m),
        )
    bar.empty()
    for out in outcomes:
        refused = out.status == "refused"
        signin.audit(
            "upload_refused" if refused else "upload",
            page="Upload",
            detail={
                "file": out.file_name,
                "agency": out.agency,
                "status": out.status,
                "message": out.message[:500],
            },
            rows=None if refused else sum(c["in"] for c in out.counts.values()),
        )
    data.pin()  # the rest of this rerun shows the file just loaded
    st.session_state[RESULTS] = outcomes
    if first_data and any(o.status == "loaded" for o in outcomes):
        st.rerun()


synthetic = data.is_synthetic()
last_month = data.run("data_period").row(0, named=True)["last_month"]  # None until the first return
empty = last_month is None
if synthetic:
    st.info(
        "This dashboard is showing the **synthetic** data set, so returns can be checked here but not "
        "loaded: real returns go into a database of their own (`python -m msoic ingest FILES --db "
        "data/returns.duckdb`, then start the dashboard with `MSOIC_DB=data/returns.duckdb`).",
        icon=":material/science:",
    )
files = st.file_uploader(
    "Returns", type=["xlsx", "csv", "parquet"], accept_multiple_files=True, key="returns_files"
)
check_col, load_col, _ = st.columns([1, 1, 4])
if check_col.button(
    "Check",
    disabled=not files,
    icon=":material/rule:",
    width="stretch",
    help="Check every row as a load would, and load nothing",
):
    run(files, check_only=True, first_data=False)
if load_col.button(
    "Load",
    type="primary",
    disabled=not files or synthetic,
    icon=":material/upload:",
    width="stretch",
    help="Synthetic data: returns can only be checked"
    if synthetic
    else "Check every row and load the good ones",
):
    run(files, check_only=False, first_data=empty)
held = [out for out in st.session_state.get(RESULTS, []) if out.status == "held"]
if (
    held
    and files
    and not synthetic
    and st.button(
        "Replace all the same",
        icon=":material/published_with_changes:",
        help="Load the held corrections, replacing the returns they correct (those stay restorable: "
        "load the replaced file again)",
    )
):
    run(files, check_only=False, first_data=False, replace=True)
    st.rerun()  # drawn again, without this button: nothing is held now

for n, out in enumerate(st.session_state.get(RESULTS, [])):
    with st.container(border=True):
        if out.status == "refused":
            st.error(text.plain(out.message), icon=":material/block:")
            continue
        if out.status == "duplicate":
            st.info(text.plain(out.message), icon=":material/content_copy:")
            continue
        bad = out.rejected_count
        if out.status == "held":
            st.warning(text.plain(out.message), icon=":material/pan_tool:")
        else:
            (st.warning if bad else st.success)(
                text.plain(out.message), icon=":material/rule:" if bad else ":material/task_alt:"
            )
        st.dataframe(
            out.summary(),
            hide_index=True,
            height="content",
            column_config={
                "sheet": st.column_config.TextColumn("Sheet"),
                "in": st.column_config.NumberColumn("Rows in", format="localized"),
                "loaded": st.column_config.NumberColumn("Loaded", format="localized"),
                "rejected": st.column_config.NumberColumn("Rejected", format="localized"),
            },
        )
        if bad:
            st.dataframe(
                out.rejected.drop("raw"),
                hide_index=True,
                height=min(400, 38 + 35 * bad),
                column_config={
                    "sheet": st.column_config.TextColumn("Sheet", width="small"),
                    "row_number": st.column_config.NumberColumn("Row", width="small"),
                    "errors": st.column_config.TextColumn("Reasons", width="large"),
                },
            )
            body, name = data.export_csv(out.rejected, f"rejected-{Path(out.file_name).stem}")
            st.download_button(
                "Download the rejected rows with their reasons (CSV)",
                signin.recorded(body, name, bad),
                name,
                mime="text/csv",
                icon=":material/download:",
                key=f"rejected_{n}",
            )

st.subheader("Returns received lately")
names = reference.labels("agency")
recent = data.run("data_recent_submissions")
st.dataframe(
    recent.with_columns(pl.col("agency_code").replace_strict(names, default=pl.col("agency_code"))),
    hide_index=True,
    height="content",
    placeholder="–",
    column_config={
        "submission_id": st.column_config.NumberColumn("Submission", format="%d", width=90),
        "agency_code": st.column_config.TextColumn("Agency", width=250),
        "month": st.column_config.DateColumn("Month", format="MMM YYYY", width=90),
        "file_name": st.column_config.TextColumn("File", width=180),
        "received_at": st.column_config.DatetimeColumn("Received", format="D MMM YYYY, HH:mm", width=150),
        "rows_in": st.column_config.NumberColumn("Rows in", format="localized", width=70),
        "rows_accepted": st.column_config.NumberColumn("Loaded", format="localized", width=70),
        "rows_rejected": st.column_config.NumberColumn("Rejected", format="localized", width=70),
    },
)

st.subheader("Template")
st.caption(
    "A workbook with the right headers, a note on each column, drop-down lists for coded columns, and "
    "the agency's operations still open last month already filled in: update them and add the new ones."
)
left, right = st.columns(2)
# A template carries the agency's open operations: offered for the agencies the person may load only.
agency = left.selectbox(
    "Agency", list(signin.scope().upload), format_func=lambda a: names[a], key="template_agency"
)
latest = last_month or add_months(date.today().replace(day=1), -1)
months = [add_months(latest, i) for i in range(-11, 2)][::-1]
month = right.selectbox("Month", months, index=1, format_func=lambda m: f"{m:%B %Y}", key="template_month")


@st.cache_data(max_entries=16, show_spinner=False)
def _template(agency: str, month: date, path: str, version: str) -> bytes:
    con = db.connect_readonly(Path(path))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "t.xlsx"
            template.write_template(con, agency, month, out)
            return out.read_bytes()
    finally:
        con.close()


# Written on the click, not on every opening: a workbook takes a connection, the agency's open
# operations and the writing of every sheet (0.9 s at scale 10, more on a large file); the version is
# read now, as the click runs in a thread of its own.
path, version = data.current()
st.download_button(
    "Download the template",
    signin.recorded(lambda: _template(agency, month, path, version), f"{agency}_{month:%Y-%m}.xlsx", None),
    f"{agency}_{month:%Y-%m}.xlsx",
    icon=":material/download:",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
