"""The dashboard's entrypoint and router. Run it with `evidence dashboard`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from evidence.errors import EvidenceError
from evidence.webui import data

HERE = Path(__file__).parent

st.set_page_config(page_title="Evidence ledger", page_icon=str(HERE / "favicon.png"), layout="wide")

pages = [
    st.Page(
        HERE / "app_pages" / "overview.py",
        title="Overview",
        icon=":material/view_list:",
        url_path="overview",
        default=True,
    ),
    st.Page(
        HERE / "app_pages" / "claim.py", title="Claim", icon=":material/article:", url_path="claim"
    ),
]
page = st.navigation(pages)

try:
    data.store()
except EvidenceError as exc:
    st.error(f"The database cannot be used: {exc}")
    st.stop()

page.run()
