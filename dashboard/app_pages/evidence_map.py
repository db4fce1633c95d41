"""Evidence map: claims by verdict × certainty, evidence by publication year × study design.

Clicking a cell or a bar lists its claims; the same choice can be made with the selectboxes
under each chart (usable from the keyboard, and what the tests drive).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from evidence.domain.vocab import Verdict
from evidence.webui import views
from evidence.webui.charts import (
    CERTAINTIES,
    CLAIM_CELL,
    NO_YEAR,
    YEAR_BAR,
    claim_grid_chart,
    evidence_years_chart,
)
from evidence.webui.render import verdict_label

st.title("Evidence map")
st.caption(
    "Where the ledger stands: how many claims reach each verdict at each certainty, and what "
    "evidence it rests on, by year and study design. Click a cell or a bar, or choose below, "
    "to list the claims."
)

cells = views.claim_cells()
if not cells:
    st.info("The ledger is empty: run `evidence seed` to load the starter content.")
    st.stop()


def picked(chart_key: str, name: str) -> dict[str, Any] | None:
    """The point clicked on a chart, as {field: value}, or None when nothing is selected."""
    event = st.session_state.get(chart_key) or {}
    points = (event.get("selection") or {}).get(name) or []
    if isinstance(points, dict):
        points = [points]
    return dict(points[0]) if points else None


def on_cell() -> None:
    point = picked("map_claims_chart", CLAIM_CELL) or {}
    st.session_state["map_verdict"] = point.get("verdict")
    st.session_state["map_certainty"] = point.get("certainty")


def on_bar() -> None:
    point = picked("map_evidence_chart", YEAR_BAR) or {}
    st.session_state["map_year"] = point.get("year")
    st.session_state["map_group"] = point.get("group")


st.header("Claims by verdict and certainty", anchor="claims", divider="gray")
st.altair_chart(
    claim_grid_chart(cells),
    on_select=on_cell,
    selection_mode=[CLAIM_CELL],
    key="map_claims_chart",
    width="stretch",
)
cols = st.columns(2)
verdict = cols[0].selectbox(
    "Verdict",
    [v.value for v in Verdict],
    index=None,
    format_func=verdict_label,
    placeholder="Any verdict",
    key="map_verdict",
)
certainty = cols[1].selectbox(
    "Certainty",
    list(reversed(CERTAINTIES)),
    index=None,
    placeholder="Any certainty",
    key="map_certainty",
)
if verdict or certainty:
    listed = views.claims_in_cell(verdict or views.ANY, certainty or views.ANY)
    words = " and ".join(
        w
        for w in (
            verdict and verdict_label(verdict).lower(),
            certainty and f"{certainty} certainty",
        )
        if w
    )
    views.claim_list(
        listed, key="map_cell", what=f"judged {words}", selection=f"{verdict}|{certainty}"
    )
else:
    st.caption("Click a cell, or choose a verdict or a certainty, to list its claims.")

st.header("Evidence by year and study design", anchor="evidence", divider="gray")
rows = views.evidence_cells()
if not rows:
    st.write("No paper is linked to a claim as evidence yet.")
    st.stop()
links = sum(r["links"] for r in rows)
withdrawn = sum(r["links"] for r in rows if r["group"] == views.RETRACTED)
no_year = sum(r["links"] for r in rows if r["year"] is None)
st.caption(
    f"{links:,} evidence links (a paper cited for two claims counts twice)."
    + (
        f" **{withdrawn:,} cite retracted papers**: they count for nothing and are drawn "
        "in black, whatever their design."
        if withdrawn
        else " None cites a retracted paper."
    )
    + (f" {no_year:,} are to papers whose year is not recorded (“{NO_YEAR}”)." if no_year else "")
)
st.altair_chart(
    evidence_years_chart(rows),
    on_select=on_bar,
    selection_mode=[YEAR_BAR],
    key="map_evidence_chart",
    width="stretch",
)
years = sorted({r["year"] for r in rows if r["year"] is not None})
year_options = [str(y) for y in years] + ([NO_YEAR] if no_year else [])
groups = [g for g in views.GROUPS if any(r["group"] == g for r in rows)]
cols = st.columns(2)
year = cols[0].selectbox(
    "Publication year", year_options, index=None, placeholder="Any year", key="map_year"
)
group = cols[1].selectbox(
    "Study design",
    groups,
    index=None,
    format_func=views.group_label,
    placeholder="Any design",
    key="map_group",
)
if year or group:
    year_value: int | str | None = views.ANY
    if year:
        year_value = None if year == NO_YEAR else int(year)
    listed = views.claims_with_evidence(year=year_value, group=group or views.ANY)
    words = " ".join(
        w
        for w in (
            group and views.group_label(group).lower(),
            year and (f"from {year}" if year != NO_YEAR else "with no year"),
        )
        if w
    )
    views.claim_list(
        listed, key="map_evidence", what=f"with evidence: {words}", selection=f"{year}|{group}"
    )
else:
    st.caption("Click a bar, or choose a year or a design, to list the claims with that evidence.")
