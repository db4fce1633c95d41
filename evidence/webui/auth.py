"""Who is using the dashboard, decided on the server on every run.

A local account signs in with its password; the session then holds only the account's
name, and its role is read again from the database on every run, so a curator demoted or
removed from the CLI loses the curation pages at their next click. With OpenID Connect
configured (an ``[auth]`` section in Streamlit's secrets.toml), ``st.login`` signs people
in instead or as well; their role is that of the local account named by their e-mail
address, and viewer when there is none.
"""

from __future__ import annotations

import threading
import time

import streamlit as st

from evidence.domain.vocab import Role
from evidence.services.records.accounts import (
    SignedIn,
    authenticate,
    find_role,
    password_fingerprint,
)
from evidence.webui import data, sign_in_cookie
from evidence.webui.render import md_text

_NAME = "signed_in_as"
_THIS_RUN = "user_this_run"
_COOKIE_SCRIPT = "sign_in_cookie_script"  # to send with the next run's page
_SIGNED_OUT = "signed_out"  # this tab's cookies still hold the sign-in it ended
# after this many wrong passwords in a row a session must wait before trying again
MAX_FAILURES = 5
LOCKOUT_SECONDS = 30


def oidc_configured() -> bool:
    try:
        return bool(st.secrets.load_if_toml_exists() and st.secrets.get("auth"))
    except Exception:  # noqa: BLE001  (a broken secrets file means no single sign-on)
        return False


def _oidc_email() -> str | None:
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    # an address the identity provider has not verified could be anyone's
    return str(email) if email and st.user.get("email_verified") is True else None


def current_user() -> SignedIn | None:
    """Who this run is for, read from the database; the router asks once per run."""
    st.session_state[_THIS_RUN] = who = _who()
    return who


def user() -> SignedIn | None:
    """Who this run is for, as the router found at its start (no second query)."""
    return st.session_state[_THIS_RUN] if _THIS_RUN in st.session_state else current_user()


def _remembered() -> str | None:
    """The account a sign-in cookie from this browser names, if it still holds."""
    if st.session_state.get(_SIGNED_OUT):
        return None
    found = sign_in_cookie.read(st.context.cookies.get(sign_in_cookie.COOKIE))
    if found is None:
        return None
    name, fingerprint = found
    with data.store().reading() as session:
        if password_fingerprint(session, name) != fingerprint:
            return None  # a new password since, or the account is gone
    st.session_state[_NAME] = name
    return name


def _who() -> SignedIn | None:
    name = st.session_state.get(_NAME) or _remembered()
    if name:
        with data.store().reading() as session:
            role = find_role(session, name)
        if role is None:  # the account was removed while signed in
            del st.session_state[_NAME]
            return None
        return SignedIn(name, role)
    email = _oidc_email()
    if email is None:
        return None
    with data.store().reading() as session:
        role = find_role(session, email)
    return SignedIn(email, role or Role.viewer)


@st.cache_resource(show_spinner=False)
def _failures() -> tuple[dict[str, tuple[int, float]], threading.Lock]:
    """Failed sign-ins per user name, for the whole server: a new tab does not reset them."""
    return {}, threading.Lock()


def sign_in(username: str, password: str) -> str | None:
    """Sign this session in; the reason it failed, or None when it worked."""
    failures, lock = _failures()
    name = (username or "").strip().lower()
    with lock:
        count, since = failures.get(name, (0, 0.0))
    wait = LOCKOUT_SECONDS - (time.monotonic() - since)
    if count >= MAX_FAILURES and wait > 0:
        return f"Too many failed attempts: wait {int(wait) + 1} seconds and try again."
    # a transaction: a hash made with weaker parameters is upgraded on the way in
    with data.store().transaction() as session:
        who = authenticate(session, username=username, password=password)
    with lock:
        if who is None:
            failures[name] = (count + 1, time.monotonic())
        else:
            failures.pop(name, None)
    if who is None:
        return "Unknown user name or wrong password."
    st.session_state[_NAME] = who.username
    st.session_state.pop(_SIGNED_OUT, None)
    with data.store().reading() as session:  # after a rehash on the way in, if any
        fingerprint = password_fingerprint(session, who.username) or ""
    value = sign_in_cookie.token(who.username, fingerprint)
    st.session_state[_COOKIE_SCRIPT] = sign_in_cookie.set_script(value)
    return None


def sign_out() -> None:
    st.session_state.pop(_NAME, None)
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_SCRIPT] = sign_in_cookie.clear_script()
    if _oidc_email() is not None:
        st.logout()


def send_cookie() -> None:
    """Set or clear the sign-in cookie in the browser, once, after a sign-in or sign-out."""
    script = st.session_state.pop(_COOKIE_SCRIPT, None)
    if script:
        with st.sidebar:
            st.html(script, unsafe_allow_javascript=True)


def refuse() -> None:
    """What a curation address shows to anyone who may not curate."""
    who = user()
    st.title("Curators only")
    if who is None:
        st.error("The curation pages need a curator account. Sign in first.")
    else:
        st.error(
            f"The curation pages need a curator account; {md_text(who.username)} is a "
            f"{who.role.value}. An admin can change that with `evidence users role`."
        )
    st.page_link("app_pages/sign_in.py", label="Sign in", icon=":material/login:")


def sidebar(user: SignedIn | None) -> None:
    with st.sidebar:
        if user is None:
            st.caption("Reading as a guest.")
            return
        st.caption(f"Signed in as **{md_text(user.username)}** ({user.role.value}).")
        st.button("Sign out", key="sign_out", on_click=sign_out, icon=":material/logout:")
