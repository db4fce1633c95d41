"""Downloads of what is on screen: the listed claims as CSV, and a Markdown evidence summary.

The Markdown summary reads each claim's detail, so it is made only when the button is
clicked (a deferred download), and for at most MARKDOWN_LIMIT claims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from streamlit.delta_generator import DeltaGenerator

from evidence.services.transfer.exporting import markdown_summary, table_csv
from evidence.store.engine import Store

MARKDOWN_LIMIT = 500
CLAIM_COLUMNS = (
    "id",
    "statement",
    "type",
    "tags",
    "band",
    "verdict",
    "certainty",
    "explanation",
    "supporting",
    "refuting",
    "mixed",
    "retracted",
    "overridden",
    "computed_verdict",
)


def claims_csv(claims: Sequence[dict[str, Any]]) -> str:
    """One row per claim as listed."""
    rows = (
        [
            "; ".join(c["tags"])
            if col == "tags"
            else str(c[col]).lower()
            if isinstance(c[col], bool)
            else c[col]
            for col in CLAIM_COLUMNS
        ]
        for c in claims
    )
    return table_csv(CLAIM_COLUMNS, rows)


LINK_COLUMNS = (
    "reference",
    "title",
    "year",
    "doi",
    "pmid",
    "design",
    "stance",
    "starting_certainty",
    "downgrades",
    "upgrades",
    "certainty",
    "status",
    "retraction",
    "rationale",
    "quote",
    "curator",
)


def evidence_csv(detail: dict[str, Any]) -> str:
    """A claim's evidence table, one row per linked paper, as shown on its page."""
    rows = []
    for e in detail["evidence"]:
        ref = e["reference"]
        rows.append(
            [ref["key"], ref["title"], ref["year"], ref["doi"], ref["pmid"], e["design_label"]]
            + [e["stance"], e["starting_certainty"], "; ".join(e["downgrades"])]
            + ["; ".join(e["upgrades"]), e["certainty"], e["status"], ref["retraction"]]
            + [e["rationale"], e["quote"] or "", e["curator"]]
        )
    return table_csv(LINK_COLUMNS, rows)


def summary_maker(
    store: Store, claim_ids: Sequence[str] | Callable[[], Sequence[str]], title: str
) -> Callable[[], str]:
    """A function that writes the Markdown summary when the download is asked for (the ids
    too may be a function, read then)."""

    def make() -> str:
        ids = claim_ids() if callable(claim_ids) else claim_ids
        with store.reading() as session:
            return "".join(markdown_summary(session, list(ids[:MARKDOWN_LIMIT]), title=title))

    return make


def offer(
    where: DeltaGenerator,
    label: str,
    data: str | Callable[[], str],
    *,
    file_name: str,
    key: str,
    help: str,
    disabled: bool = False,
) -> None:
    """A download button. A function as ``data`` is called only when the button is clicked."""
    where.download_button(
        label,
        data,
        file_name=file_name,
        mime="text/markdown" if file_name.endswith(".md") else "text/csv",
        key=key,
        help=help,
        disabled=disabled,
        icon=":material/download:",
        on_click="ignore",  # a rerun would revoke the file while the browser fetches it
    )
