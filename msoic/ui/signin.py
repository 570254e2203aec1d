"""Who is signed in on this rerun and what their grants let them see: the gate before any page.

Sign-in is Streamlit's own (st.login / st.user / st.logout, OpenID Connect configured in the
`[auth]` section of .streamlit/secrets.toml); grants come from the access list ($MSOIC_ACCESS)
or the identity provider's groups claim. Fail closed: a database of real returns is never
served without sign-in. On the synthetic data set alone, with no sign-in configured, a
development mode lets a person pick a role and area in the sidebar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from msoic import access, auth, reference
from msoic import audit as trail
from msoic.auth import Grant, Scope

log = logging.getLogger(__name__)

_SCOPE, _USER, _SEEN = "msoic_scope", "msoic_user", "msoic_audited"
# URL query parameters of the development mode's picker: the role, and its area by kind.
DEV_ROLE = "as_role"
DEV_AREA = {
    "region": "as_region",
    "force": "as_force",
    "agency": "as_agency",
    "agency or none": "as_agency_or_none",
}
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
    st.session_state[_SCOPE] = Scope()  # nothing is carried over from the last rerun until resolved again
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
        audit("sign_in", detail={"grants": [auth.describe(g) for g in grants]})
    if granted.is_empty:
        _no_access(person)
    return granted


def _signed_in() -> tuple[str, tuple[Grant, ...]]:
    """The signed-in person and their grants; a person not signed in is offered sign-in and stopped.
    The access list is read first: a malformed one lets nobody in, signed in or not."""
    listed = access_list()
    if not st.user.is_logged_in:
        st.title("MSOIC Analysis")
        st.write("Sign in with your organisation's account to see the dashboard.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        st.stop()
    email, subject = st.user.get("email"), st.user.get("sub")
    groups = st.user.get("groups") or ()
    if isinstance(groups, str):
        groups = (groups,)
    grants = listed.grants_for(email, subject, tuple(groups)) if listed else ()
    with st.sidebar:
        st.text(f"Signed in as {email or subject}")  # text: a claim is never read as Markdown
        st.button("Sign out", on_click=_sign_out, icon=":material/logout:")
    return str(email or subject), tuple(grants)


def access_list() -> access.AccessList | None:
    """The access list named by $MSOIC_ACCESS (None when unset: nobody is granted anything); a
    malformed one stops the dashboard with its file, line and reason."""
    try:
        return access.from_environment()
    except access.AccessError as exc:
        log.error("access list refused: %s", exc)
        st.error("The access list cannot be used, so nobody is let in:", icon=":material/lock:")
        st.text(str(exc))
        st.stop()


def _sign_out() -> None:
    audit("sign_out")
    st.logout()


def _no_access(person: str) -> None:
    """The page for a signed-in person the access list gives nothing: who they are and whom to ask."""
    if st.session_state.get("msoic_denied") != person:
        st.session_state["msoic_denied"] = person
        audit("access_denied", detail={"reason": "not on the access list"})
    st.title("You have no access yet")
    st.text(
        f"You are signed in as {person}, but the access list gives you no role, so there is nothing "
        "to show you. Ask the national analysis unit's administrator to add you to the access list, "
        "with the role and area you need; then sign in again."
    )
    st.stop()


def _development() -> tuple[str, tuple[Grant, ...]]:
    """Development mode (synthetic data, no sign-in): the role and area picked in the sidebar."""
    with st.sidebar:
        st.warning(
            "**Development mode**: synthetic data and no sign-in. Pick whose view to show; a "
            "database of real returns needs sign-in.",
            icon=":material/construction:",
        )
        role = st.selectbox(
            "Show the dashboard as",
            list(auth.ROLES),
            format_func=auth.ROLE_LABELS.get,
            key=DEV_ROLE,
            bind="query-params",
        )
        kind = auth.ROLES[role]
        area = None
        if kind:
            options = auth.areas({"agency": "partner", "agency or none": "agency"}.get(kind, kind))
            if kind == "agency or none":
                options = ["", *options]
            names = {
                **reference.labels("region"),
                **reference.labels("agency"),
                "": "All agencies (national)",
            }
            area = (
                st.selectbox(
                    "Area",
                    options,
                    format_func=lambda c: names.get(c, c),
                    key=DEV_AREA[kind],
                    bind="query-params",
                )
                or None
            )
    grant = Grant(role, area)
    return f"development: {auth.describe(grant)}", (grant,)


def audit(
    event: str, *, page: str | None = None, detail: dict | None = None, rows: int | None = None
) -> None:
    """Record an event of this person's session in the audit trail; when it cannot be written,
    nothing more is shown (the error is logged with its traceback by the trail)."""
    try:
        trail.record(event, user(), page=page, detail=detail, rows=rows)
    except trail.AuditError as exc:
        st.error(
            f"{exc} Nothing is shown until it can be: tell the unit's administrator.", icon=":material/error:"
        )
        st.stop()


def page_view(page: str, filters) -> None:
    """Record a page view (the page and the view's filters) once for each page and view a person opens."""
    seen = (page, filters)
    if st.session_state.get("msoic_last_view") != seen:
        st.session_state["msoic_last_view"] = seen
        audit(
            "page_view", page=page, detail=None if filters is None else {"filters": filters.to_query_params()}
        )


def page_refused(shown: str) -> None:
    """Record, once, a URL naming a page the person's roles do not open (or no page at all):
    Streamlit shows the first page instead, and the attempt is kept in the audit trail."""
    # The page a URL asks for is known only to Streamlit's page manager: no public API gives it.
    context = get_script_run_ctx()
    asked = context.pages_manager.intended_page_name if context else None
    if asked and asked != shown and st.session_state.get("msoic_refused_page") != asked:
        st.session_state["msoic_refused_page"] = asked
        audit("access_denied", page=asked, detail={"reason": "a page the person's roles do not open"})


def recorded(body: bytes | Callable[[], bytes], file_name: str, rows: int | None) -> Callable[[], bytes]:
    """A download button's contents (or what makes them), handed over only once the download is
    recorded in the audit trail: a download that cannot be recorded is refused (AuditError)."""
    person, page = user(), st.session_state.get("msoic_last_view", ("", None))[0]

    def deliver() -> bytes:  # runs on the click, in a thread of its own: no session state here
        trail.record("download", person, page=page or None, detail={"what": file_name}, rows=rows)
        return body() if callable(body) else body

    return deliver
