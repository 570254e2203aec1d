"""MSOIC Analysis: the entry point. Page set-up, data bootstrap, sign-in, global filters, navigation by role."""

import os

import streamlit as st

from msoic import db
from msoic.ui import data, memory, sidebar, signin, theme, timing

st.set_page_config(page_title="MSOIC Analysis", page_icon=str(theme.ICON), layout="wide")


def ensure_database() -> None:
    """On a machine with no database yet, build the synthetic one (once), showing progress; a
    database named by $MSOIC_DB that does not exist yet starts empty, for real returns. A synthetic
    data set built by an earlier version of the schema is built again."""
    path = db.default_path()
    built = db.built_with(path) if path.exists() else {}
    if built and built.get("schema") == db.schema_stamp():
        return
    if (
        built and built.get("is_synthetic") != "true"
    ):  # real returns are never rebuilt: read them, or say why not
        try:
            db.connect_readonly(path).close()
        except db.OutdatedDatabase as error:
            st.error(str(error), icon=":material/database:")
            st.stop()
        return
    if not built and os.environ.get("MSOIC_DB"):
        from msoic import ingest

        ingest.ensure_database(path)
        return
    from msoic import demo

    # Built again as it was (scale, seed, period), or at the defaults on a first start.
    how = {
        "scale": float(built.get("generator_scale", 1)),
        "seed": int(built.get("generator_seed", demo.DEFAULT_SEED)),
        **{k: built[f"period_{k}"] for k in ("start", "end") if f"period_{k}" in built},
    }
    first = "A new version of the data model" if built else "First start"
    progress = st.empty()  # emptied once built: a finished status would stay above the first page
    with progress.status(f"{first}: building the synthetic national data set…", expanded=True):
        bar = st.progress(0.0)
        with db.build_lock(path):
            # Another session may have built it while we waited.
            if not path.exists() or db.built_with(path).get("schema") != db.schema_stamp():
                demo.build(
                    path,
                    **how,
                    progress=lambda fraction, message: bar.progress(min(fraction, 1.0), text=message),
                )
    progress.empty()
    st.toast("Synthetic data set built.", icon=":material/science:")


memory.settle()
timing.start()
ensure_database()
data.pin()
scope = signin.gate(data.is_synthetic(), db.default_path().name)
period = data.run("data_period").row(0, named=True)
upload = st.Page("views/upload.py", title="Upload", icon=":material/upload_file:")
if period["last_month"] is None:  # a database of returns with none loaded yet: only Upload has work
    if not scope.upload:
        st.info(
            f"No return has been loaded into {db.default_path().name} yet; the dashboard opens once a data "
            "manager has loaded the first ones.",
            icon=":material/upload_file:",
        )
        st.stop()
    st.info(
        f"No return has been loaded into {db.default_path().name} yet. Load the first ones here; the "
        f"other pages open once there is data.",
        icon=":material/upload_file:",
    )
    st.navigation([upload]).run()
    st.stop()
filters = (
    sidebar.render(period["first_month"], period["last_month"]) if scope.aggregates or scope.returns else None
)

if data.is_synthetic():
    st.sidebar.warning(
        "**Synthetic data.** Generated for development and training; "
        "no real operation, victim or offender is shown.",
        icon=":material/science:",
    )
    st.badge("Synthetic data", icon=":material/science:", color="orange")

# Pages by role: figures as counted and row-level pages for the analysts; the published report
# (every figure through disclosure control) for them and for readers, who see nothing else;
# Upload for data managers, Administrator for administrators. A page a person may not open is not
# registered: no URL reaches it, and the runner refuses its questions anyway.
sections = {
    "National picture": [
        *(
            [
                st.Page("views/overview.py", title="Overview", icon=":material/dashboard:"),
                st.Page("views/trends.py", title="Trends", icon=":material/show_chart:"),
            ]
            if scope.aggregates
            else []
        ),
        *(
            [
                st.Page("views/victims.py", title="Victims", icon=":material/diversity_3:"),
                st.Page("views/offenders.py", title="Offenders", icon=":material/person_search:"),
                st.Page("views/operations.py", title="Operations", icon=":material/table_view:"),
            ]
            if scope.row_pages
            else []
        ),
    ],
    "Regions": [st.Page("views/benchmark.py", title="Benchmark", icon=":material/leaderboard:")]
    if scope.row_pages
    else [],
    # The published outputs: disclosure-controlled, so readers get them too.
    "Reports": [st.Page("views/report.py", title="Report", icon=":material/description:")]
    if scope.published
    else [],
    "Data": [
        *([st.Page("views/data.py", title="Data", icon=":material/fact_check:")] if scope.returns else []),
        *([upload] if scope.upload else []),
    ],
    "Administration": [
        st.Page("views/admin.py", title="Administrator", icon=":material/admin_panel_settings:")
    ]
    if scope.administer
    else [],
}
page = st.navigation({name: pages for name, pages in sections.items() if pages})
signin.page_refused(page.url_path)
signin.page_view(page.title, filters)
with timing.finish(page.title):
    page.run()
