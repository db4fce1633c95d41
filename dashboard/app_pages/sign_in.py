"""Sign in with a local account (or single sign-on when configured); who you are once in."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import Role
from evidence.webui import auth
from evidence.webui.render import md_text

user = auth.user()

if user is not None:
    st.title("Account")
    st.markdown(f"Signed in as **{md_text(user.username)}**, with the {user.role.value} role.")
    if user.may(Role.curator):
        st.write("Your changes are recorded in the history under your name.")
        st.page_link("app_pages/curate.py", label="Curate a claim", icon=":material/edit_note:")
        st.page_link("app_pages/new_claim.py", label="Add a claim", icon=":material/add_circle:")
    else:
        st.info(
            "A viewer reads the ledger like a guest. Curating needs the curator role, which "
            "an admin gives with `evidence users role NAME curator`."
        )
    st.button("Sign out", key="sign_out_page", on_click=auth.sign_out, icon=":material/logout:")
    st.stop()

st.title("Sign in")
st.caption(
    "Reading needs no account. Curators sign in to add and grade evidence; accounts are made "
    "with `evidence users add`."
)
if auth.oidc_configured():
    st.button("Sign in with single sign-on", key="oidc", on_click=st.login, icon=":material/key:")
    st.caption("Or with a local account:")

with st.form("sign_in", enter_to_submit=True):
    username = st.text_input("User name", key="sign_in_name", autocomplete="username")
    password = st.text_input(
        "Password", type="password", key="sign_in_password", autocomplete="current-password"
    )
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    problem = auth.sign_in(username, password)
    if problem:
        st.error(md_text(problem))
    else:
        st.rerun()  # the router shows the curation pages from the next run on
