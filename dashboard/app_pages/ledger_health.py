"""Ledger health: what `evidence check` finds, grouped by kind, each linked to its record."""

from __future__ import annotations

import streamlit as st

from evidence.webui import health
from evidence.webui.health import KINDS

ALL = "Every kind"

st.title("Ledger health")
st.caption(
    "What a curator should look at: quotes not found in their documents, study designs "
    "nobody confirmed, papers not checked for retractions, claims with no recorded search "
    "or asserting the same thing twice, chains that loop, overrides older than the evidence. "
    "Each comes with the command that fixes it; `evidence check` prints the same list."
)

report = health.health()
summary = report["summary"]
if not summary["findings"]:
    st.success("The ledger is healthy: nothing to fix.")
    st.stop()

st.html(health.summary_html(report))
present = [kind for kind, n in summary["kinds"].items() if n]
chosen = st.selectbox(
    "Kind of finding",
    [ALL, *present],
    format_func=lambda k: k if k == ALL else f"{KINDS[k][1]} ({summary['kinds'][k]:,})",
    key="health_kind",
)
for kind in present if chosen == ALL else [chosen]:
    found = [f for f in report["findings"] if f["kind"] == kind]
    st.html(health.kind_html(kind, found, summary["kinds"][kind]))
