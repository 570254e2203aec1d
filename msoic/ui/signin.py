"""Who is signed in on this rerun and what their grants let them see: the gate before any page.

Sign-in is Streamlit's own (st.login / st.user / st.logout, OpenID Connect configured in the
`[auth]` section of .streamlit/secrets.toml); grants come from the access list ($MSOIC_ACCESS)
or the identity provider's groups claim. Fail closed: a database of real returns is never
served without sign-in. On the synthetic data set alone, with no sign-in configured, a
development mode lets a person pick a role and area in the sidebar.
"""

from __future__ import annotations

import logging

import streamlit as st

from msoic import auth, reference
from msoic.auth import Grant, Scope

log = logging.getLogger(__name__)

_SCOPE, _USER, _SEEN = "msoic_scope", "msoic_user", "msoic_audited"
# URL query parameters of the development mode's picker: the role, and its area by kind.
DEV_ROLE = "as_role"
DEV_AREA = {"region": "as_region", "force": "as_force", "agency": "as_agency", "agency or none": "as_agency_or_none"}
NOT_CONFIGURED = (
    "This dashboard is serving a database of real returns ({name}) and sign-in is not configured, so it "
    "will not start. Add an [auth] section to .streamlit/secrets.toml naming your organisation's "
    "OpenID Connect provider (redirect_uri, cookie_secret, client_id, client_secret, "
    "server_metadata_url; see the README) and an access list named by MSOIC_ACCESS, then restart it."
)


def scope() -> Scope:
    """The scope of the person signed in on this rerun (nothing, before the gate has run)."""
    return st.session_state.get(_SCOPE, Scope())


def user() -> str:
    """Who is signed in on this rerun (their email, or 'development: <role>'), as the audit names them."""
    return st.session_state.get(_USER, "")


def auth_configured() -> bool:
    """Whether sign-in is configured ([auth] in Streamlit's secrets)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def gate(synthetic: bool, database_name: str) -> Scope:
    """Resolve who is signed in and their scope for this rerun, or show the page they should see
    instead (sign in, not configured, no access) and stop."""
    if auth_configured():
        person, grants = _signed_in()
    elif synthetic:
        person, grants = _development()
    else:
        log.error("refusing to serve %s: no [auth] section in .streamlit/secrets.toml", database_name)
        st.error(NOT_CONFIGURED.format(name=database_name), icon=":material/lock:")
        st.stop()
    granted = auth.scope_of(grants)
    st.session_state[_USER], st.session_state[_SCOPE] = person, granted
    if _SEEN not in st.session_state and auth_configured():
        st.session_state[_SEEN] = True
        audit("sign_in", detail="; ".join(auth.describe(g) for g in grants) or "no grant")
    if granted.is_empty:
        _no_access(person)
    return granted


def _signed_in() -> tuple[str, tuple[Grant, ...]]:
    """The signed-in person and their grants; a person not signed in is offered sign-in and stopped."""
    if not st.user.is_logged_in:
        st.title("MSOIC Analysis")
        st.write("Sign in with your organisation's account to see the dashboard.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        st.stop()
    email, subject = st.user.get("email"), st.user.get("sub")
    groups = st.user.get("groups") or ()
    if isinstance(groups, str):
        groups = (groups,)
    grants = access_list().grants_for(email, subject, tuple(groups))
    with st.sidebar:
        st.caption(f"Signed in as {email or subject}")
        st.button("Sign out", on_click=_sign_out, icon=":material/logout:")
    return str(email or subject), tuple(grants)


def access_list():
    """The access list named by $MSOIC_ACCESS; a malformed one stops the dashboard with its line and reason."""
    from msoic import access

    try:
        return access.from_environment()
    except access.AccessError as exc:
        log.error("access list refused: %s", exc)
        st.error(f"The access list cannot be used, so nobody is let in: {exc}", icon=":material/lock:")
        st.stop()


def _sign_out() -> None:
    audit("sign_out")
    st.logout()


def _no_access(person: str) -> None:
    """The page for a signed-in person the access list gives nothing: who they are and whom to ask."""
    if st.session_state.get("msoic_denied") != person:
        st.session_state["msoic_denied"] = person
        audit("access_denied", detail="not on the access list")
    st.title("You have no access yet")
    st.text(f"You are signed in as {person}, but the access list gives you no role, so there is nothing "
            "to show you. Ask the national analysis unit's administrator to add you to the access list, "
            "with the role and area you need; then sign in again.")
    st.stop()


def _development() -> tuple[str, tuple[Grant, ...]]:
    """Development mode (synthetic data, no sign-in): the role and area picked in the sidebar."""
    with st.sidebar:
        st.warning("**Development mode**: synthetic data and no sign-in. Pick whose view to show; a "
                   "database of real returns needs sign-in.", icon=":material/construction:")
        role = st.selectbox("Show the dashboard as", list(auth.ROLES), format_func=auth.ROLE_LABELS.get,
                            key=DEV_ROLE, bind="query-params")
        kind = auth.ROLES[role]
        area = None
        if kind:
            options = auth.areas({"agency": "partner", "agency or none": "agency"}.get(kind, kind))
            if kind == "agency or none":
                options = ["", *options]
            names = {**reference.labels("region"), **reference.labels("agency"), "": "All agencies (national)"}
            area = st.selectbox("Area", options, format_func=lambda c: names.get(c, c),
                                key=DEV_AREA[kind], bind="query-params") or None
    grant = Grant(role, area)
    return f"development: {auth.describe(grant)}", (grant,)


def audit(event: str, *, page: str | None = None, detail: str | None = None, rows: int | None = None) -> None:
    """Record an event of this person's session in the audit trail."""
    from msoic import audit as trail

    trail.record(event, user(), page=page, detail=detail, rows=rows)


def page_view(page: str, filters) -> None:
    """Record a page view (the page and the view's filters) once for each page and view a person opens."""
    seen = (page, filters)
    if st.session_state.get("msoic_last_view") != seen:
        st.session_state["msoic_last_view"] = seen
        detail = None
        if filters is not None:
            detail = "&".join(f"{k}={','.join(v)}" for k, v in filters.to_query_params().items())
        audit("page_view", page=page, detail=detail)


def downloaded(file_name: str, rows: int) -> None:
    """Record a download (call it from the download button's on_click)."""
    audit("download", detail=file_name, rows=rows)
