"""Administrator: the audit trail, newest first, filtered by period, user and event and exported as
CSV; and the access list (who holds which role and area) with the file it is read from."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from msoic import access, audit
from msoic.ui import signin

ALL_EVENTS = "All events"


def who() -> str:
    """The signed-in person, as the audit trail names them."""
    return signin.user() or st.user.get("email") or st.user.get("sub") or "(not signed in)"


st.title("Administrator")

st.subheader("Audit trail")
st.caption(
    "Every sign-in, page view, download, export, upload and refusal, newest first. The trail is "
    "append-only and kept apart from the analytical database."
)
today = datetime.now(UTC).date()
period_col, user_col, event_col = st.columns([2, 2, 1])
period = period_col.date_input(
    "Period",
    value=(today - timedelta(days=30), today),
    max_value=today,
    key="audit_period",
    format="YYYY-MM-DD",
)
user = user_col.text_input(
    "User", key="audit_user", placeholder="email, any case; empty for everyone"
).strip()
event = event_col.selectbox("Event", (ALL_EVENTS, *audit.EVENTS), key="audit_event")
start: date = period[0] if period else today - timedelta(days=30)
end: date = period[1] if len(period) > 1 else start
since = datetime.combine(start, time(), UTC)
until = datetime.combine(end + timedelta(days=1), time(), UTC)  # the whole of the last day
chosen = None if event == ALL_EVENTS else event
trail = audit.read(since=since, until=until, user=user or None, event=chosen)

if trail.is_empty():
    st.info("No record matches these filters.")
else:
    if trail.height == audit.READ_LIMIT:
        st.caption(f"Showing the newest {audit.READ_LIMIT:,} records: narrow the period to see older ones.")
    st.dataframe(
        trail,
        hide_index=True,
        column_config={
            "id": None,
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
            "event": st.column_config.TextColumn("Event"),
            "user": st.column_config.TextColumn("User"),
            "page": st.column_config.TextColumn("Page"),
            "detail": st.column_config.TextColumn("Detail", help="Filters, what was taken and the outcome"),
            "rows": st.column_config.NumberColumn("Rows", format="localized"),
        },
    )
    filters = {"from": start.isoformat(), "to": end.isoformat(), "user": user or None, "event": chosen}
    # Built on click, so the export is recorded before the file leaves, and refused if it cannot be.
    st.download_button(
        "Download CSV",
        lambda: audit.export_csv(trail, who(), filters=filters),
        file_name=f"audit-{start}-{end}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )

st.subheader("Access list")
try:
    listed = access.from_environment()
except access.AccessError as error:
    st.error("The access list cannot be used, so nobody is granted a role from it:", icon=":material/error:")
    st.text(str(error))
else:
    if listed is None:
        st.info(f"No access list: {access.ENV} is not set, so nobody is granted a role from one.")
    elif not listed.entries:
        st.warning("The access list grants nothing to anyone. It is read from:")
        st.text(str(listed.source))
    else:
        st.caption(f"{len(listed.entries):,} grants, read from:")
        st.text(str(listed.source))
        st.dataframe(
            listed.to_frame(),
            hide_index=True,
            column_config={
                "who": st.column_config.TextColumn(
                    "Who", help="An email (any case), an IdP subject or an IdP group"
                ),
                "kind": st.column_config.TextColumn("Named by"),
                "role": st.column_config.TextColumn("Role"),
                "area": st.column_config.TextColumn(
                    "Area", help="Region, force or agency; empty for a national role"
                ),
                "line": st.column_config.NumberColumn("Line", help="Where the grant is in the file"),
            },
        )
