"""The dashboard's entrypoint and router. Run it with `evidence dashboard`.

Who may see what is decided here, on the server, on every run: a curation page is only
registered for an account with the curator role. Anyone else who types its address gets
a page that refuses, and the curation script itself is never run for them.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from evidence.domain.vocab import Role
from evidence.errors import EvidenceError
from evidence.webui import auth, data
from evidence.webui.render import PAGE_LINK_SCRIPT, md_text

HERE = Path(__file__).parent / "app_pages"
OVERVIEW_KEYS = (
    "overview_search",
    "overview_types",
    "overview_tags",
    "overview_sources",
    "overview_certainties",
    "overview_verdicts",
)

st.set_page_config(
    page_title="Evidence ledger", page_icon=str(HERE.parent / "favicon.png"), layout="wide"
)

try:
    data.start_run()
except EvidenceError as exc:
    st.error(md_text(f"The database cannot be used: {exc}"))
    st.stop()

user = auth.current_user()

# Streamlit forgets a widget's value once a run does not draw it: the overview's search and
# filters would be empty again after a visit to a claim. Setting them again on every run, on
# whatever page, keeps them (the documented way to carry widget values across pages).
for _key in OVERVIEW_KEYS:
    if _key in st.session_state:
        st.session_state[_key] = st.session_state[_key]


def _page(name: str, title: str, icon: str, url: str, **kw: object) -> st.Page:
    return st.Page(HERE / f"{name}.py", title=title, icon=f":material/{icon}:", url_path=url, **kw)


# Streamlit serves the default page at "/" only (its own url_path is reserved, yet answers
# "Page not found"): "/overview" is a hidden page that leads there.
overview = _page("overview", "Overview", "view_list", "home", default=True)


def _to_overview() -> None:
    st.switch_page(overview)


reading = [
    overview,
    _page("claim", "Claim", "article", "claim"),
    _page("chains", "Chains", "account_tree", "chains"),
    _page("sources", "Sources", "menu_book", "sources"),
    _page("evidence_map", "Evidence map", "grid_view", "map"),
    _page("ledger_health", "Ledger health", "health_and_safety", "health"),
]
CURATION = [
    ("curate", "Curate a claim", "edit_note", "curate"),
    ("screen", "Screen candidates", "fact_check", "screen"),
    ("new_claim", "New claim", "add_circle", "new-claim"),
]
if user is not None and user.may(Role.curator):
    curation = [_page(*spec) for spec in CURATION]
else:
    # same addresses, hidden from the menu, and all they do is say no
    curation = [
        st.Page(auth.refuse, title=title, url_path=url, visibility="hidden")
        for _, title, _, url in CURATION
    ]
account = [_page("sign_in", "Account" if user else "Sign in", "login", "sign-in")]
alias = st.Page(_to_overview, title="Overview", url_path="overview", visibility="hidden")

page = st.navigation({"Evidence": [*reading, alias], "Curation": curation + account})
auth.sidebar(user)
auth.send_cookie()
# the pages' links to claims move within the app, as st.page_link does (render.PAGE_LINK_SCRIPT)
with st.sidebar:
    st.html(PAGE_LINK_SCRIPT, unsafe_allow_javascript=True)
page.run()
