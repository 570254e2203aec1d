"""Report: the monthly national report or a region's benchmarking pack for a chosen month, previewed,
then downloaded as HTML, PDF or XLSX — the same files as `python -m msoic report`."""

import streamlit as st

from msoic import reference
from msoic.filters import month_key, month_range, parse_month
from msoic.report import pdf
from msoic.ui import data, report_files, signin

NATIONAL_REPORT = "national"
period = data.run("data_period").row(0, named=True)
months = [month_key(m) for m in reversed(month_range(period["first_month"], period["last_month"]))]
region_names = {NATIONAL_REPORT: "National report", **reference.labels("region")}

st.title("Report")
st.caption(
    "The published monthly report: every table passes disclosure control (counts from 1 to the threshold, "
    "and any a reader could work out from the totals, shown as [c]). The sidebar's filters do not apply: "
    "the national report covers every region, a regional pack its region against all 45 force areas."
)
controls = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
chosen_month = controls.selectbox(
    "Month",
    months,
    key="report_month",
    bind="query-params",
    width=160,
    format_func=lambda m: f"{parse_month(m):%B %Y}",
)
chosen = controls.selectbox(
    "Report",
    list(region_names),
    key="report_region",
    bind="query-params",
    width=260,
    format_func=region_names.get,
)
month, region = parse_month(chosen_month), None if chosen == NATIONAL_REPORT else chosen

with st.spinner("Building the report…"):  # the latest national report is kept built in the file
    cover = report_files.cover(month, region)

try:
    pdf.chromium()
    no_pdf = ""
except pdf.PdfError as error:
    no_pdf = str(error)
buttons = st.container(horizontal=True, gap="small")
for fmt, label in (("html", "HTML"), ("pdf", "PDF"), ("xlsx", "XLSX")):
    buttons.download_button(
        f"Download {label}",
        data=signin.recorded(
            lambda fmt=fmt: report_files.file(month, region, fmt), cover.file_name(fmt), None
        ),
        file_name=cover.file_name(fmt),
        mime=report_files.MIME[fmt],
        icon=":material/download:",
        key=f"report_download_{fmt}",
        on_click="ignore",
        disabled=fmt == "pdf" and bool(no_pdf),
    )
if no_pdf:
    st.warning(no_pdf, icon=":material/picture_as_pdf:")
st.caption(
    f"Data version {cover.data_version}; produced {cover.produced_at}. The PDF is printed by headless "
    "chromium when asked for and takes a few seconds."
)

st.subheader("Preview")
# The report is our own document with every value escaped (text, and JSON with <, > and & escaped).
st.iframe(report_files.file(month, region, "html").decode(), height=900)
