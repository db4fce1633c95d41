"""Chart builders for the dashboard: pure functions of plain dicts and lists.

Altair charts for the source scorecards and the evidence map, and the Graphviz DOT text of a
mechanism chain. Ledger text only ever reaches a chart as data (Vega draws it as text) or as
a quoted, escaped DOT string: never as markup.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import altair as alt
import pandas as pd

from evidence.domain.vocab import Design, SourceKind, Verdict
from evidence.webui.render import DESIGN_LABELS, VERDICT_COLOURS, short

# Streamlit's colour names (as used by render.VERDICT_COLOURS) as fills dark or light enough
# for black or white text on them to read (WCAG AA contrast or better)
HEX = {
    "green": "#2e7d32",
    "blue": "#1565c0",
    "orange": "#f39c12",
    "red": "#c62828",
    "gray": "#c4c4c4",
}
VERDICT_HEX = {v: HEX[c] for v, c in VERDICT_COLOURS.items()}
VERDICTS = [v.value for v in Verdict]  # strongest first, the order of every legend
VERDICT_LABELS = [v.label for v in Verdict]
CERTAINTIES = ["very low", "low", "moderate", "high"]  # weakest first, as an axis reads
WEAKEST_HEX = "#d0021b"

KIND_LABELS = {
    SourceKind.guideline.value: "Guideline",
    SourceKind.peer_reviewed_article.value: "Peer-reviewed article",
    SourceKind.educational_slide_deck.value: "Educational slide deck",
    SourceKind.journalism.value: "Journalism",
    SourceKind.health_article.value: "Consumer health article",
    SourceKind.commercial_marketing.value: "Commercial marketing",
    SourceKind.forum_repost.value: "Forum repost",
    SourceKind.other.value: "Other document",
}
KIND_BLURBS = {
    SourceKind.guideline.value: "A clinical guideline: recommendations from a panel that "
    "weighed the evidence.",
    SourceKind.peer_reviewed_article.value: "Published after peer review.",
    SourceKind.educational_slide_deck.value: "Teaching material: not peer reviewed, often "
    "without references.",
    SourceKind.journalism.value: "A news or feature article: reports claims, not peer reviewed.",
    SourceKind.health_article.value: "A consumer health explainer: not peer reviewed.",
    SourceKind.commercial_marketing.value: "Sells a product: a direct commercial interest in "
    "its claims. Not a guideline.",
    SourceKind.forum_repost.value: "Copied to a forum: original author and source unknown.",
    SourceKind.other.value: "Some other kind of document.",
}
KIND_COLOURS = {
    SourceKind.guideline.value: "green",
    SourceKind.peer_reviewed_article.value: "blue",
    SourceKind.educational_slide_deck.value: "violet",
    SourceKind.journalism.value: "gray",
    SourceKind.health_article.value: "gray",
    SourceKind.commercial_marketing.value: "red",
    SourceKind.forum_repost.value: "orange",
    SourceKind.other.value: "gray",
}

GROUP_HEX = {
    Design.systematic_review_meta_analysis.value: "#08306b",
    Design.systematic_review.value: "#08519c",
    Design.rct.value: "#3182bd",
    # the observational designs differ in hue and in lightness, not in shade of one green
    Design.cohort.value: "#1b7837",
    Design.case_control.value: "#5ab4ac",
    Design.cross_sectional.value: "#d9ef8b",
    Design.case_series.value: "#e6550d",
    Design.case_report.value: "#fdae6b",
    Design.cadaver_anatomical.value: "#756bb1",
    Design.lab_mechanistic.value: "#bcbddc",
    Design.narrative_review.value: "#969696",
    Design.expert_opinion.value: "#bdbdbd",
    "not_recorded": "#e5e5e5",
    "retracted": "#000000",
}
NO_YEAR = "no year"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def year_label(year: int | None) -> str:
    return NO_YEAR if year is None else str(year)


# --- Altair --------------------------------------------------------------------------------


def _verdict_colour(field: str, *, legend: bool = True) -> alt.Color:
    return alt.Color(
        f"{field}:N",
        title="Verdict",
        scale=alt.Scale(domain=VERDICT_LABELS, range=[VERDICT_HEX[v] for v in VERDICTS]),
        legend=alt.Legend(orient="bottom", direction="horizontal") if legend else None,
    )


def source_label(card: Mapping[str, Any]) -> str:
    """How a source is named above its bar: its title (whole up to 110 characters) and kind."""
    return f"{short(card['title'], 110)} · {kind_label(card['kind'])}"


_ROW = 54  # pixels a source takes: its name, then its bar
_BAR = 20


def scorecard_chart(cards: Sequence[Mapping[str, Any]], *, shares: bool = False) -> alt.Chart:
    """One stacked horizontal bar per source: its claims by verdict, in the order given.

    Each source's name is written above its bar, across the chart's width: as axis labels
    they had a third of it and were cut (issue 16).
    """
    labels: list[str] = []
    rows = []
    for card in cards:
        label = source_label(card)
        if label in labels:  # two sources may share a title: tell them apart by key
            label = f"{label} ({card['key']})"
        labels.append(label)
        for rank, v in enumerate(Verdict):
            n = card["verdicts"].get(v.value, 0)
            if n:
                rows.append(
                    {
                        "source": label,
                        "title": card["title"],
                        "kind": kind_label(card["kind"]),
                        "verdict": v.label,
                        "rank": rank,
                        "claims": n,
                        "share": n / card["claims"],
                    }
                )
    frame = pd.DataFrame(
        rows, columns=["source", "title", "kind", "verdict", "rank", "claims", "share"]
    )
    # the names are the axis's labels (so they take the theme's text colour, light or dark),
    # moved from beside the bars to above them
    y = alt.Y(
        "source:N",
        sort=labels,
        title=None,
        axis=alt.Axis(
            orient="left",
            labelAlign="left",
            labelBaseline="bottom",
            labelPadding=-2,
            labelOffset=-(_BAR // 2 + 3),
            labelLimit=2000,
            labelFontSize=13,
            labelOverlap=False,
            ticks=False,
            domain=False,
        ),
    )
    return (
        alt.Chart(frame)
        .mark_bar(size=_BAR)
        .encode(
            y=y,
            x=alt.X(
                "claims:Q",
                stack="normalize" if shares else "zero",
                title="Share of its claims" if shares else "Claims asserted",
                axis=alt.Axis(format="%") if shares else alt.Axis(format="d", tickMinStep=1),
            ),
            color=_verdict_colour("verdict"),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("title:N", title="Source"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("verdict:N", title="Verdict"),
                alt.Tooltip("claims:Q", title="Claims"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(height=alt.Step(_ROW))
    )


CLAIM_CELL = "cell"  # the name of the claim grid's selection, as st.altair_chart reports it
YEAR_BAR = "bar"


def claim_grid_chart(cells: Iterable[Mapping[str, Any]]) -> alt.LayerChart | alt.FacetChart:
    """Claims by verdict (rows) and certainty (columns): a coloured cell with its count.

    Clicking a cell selects its verdict and certainty (selection ``CLAIM_CELL``).
    """
    frame = pd.DataFrame(
        [
            {
                "verdict": c["verdict"],
                "verdict_label": Verdict(c["verdict"]).label,
                "certainty": c["certainty"],
                "claims": c["claims"],
                "ink": _ink(VERDICT_COLOURS[c["verdict"]]),
            }
            for c in cells
        ],
        columns=["verdict", "verdict_label", "certainty", "claims", "ink"],
    )
    pick = alt.selection_point(name=CLAIM_CELL, fields=["verdict", "certainty"])
    base = alt.Chart(frame).encode(
        x=alt.X(
            "certainty:O",
            title="Certainty of the evidence",
            scale=alt.Scale(domain=CERTAINTIES),
            axis=alt.Axis(labelAngle=0, orient="top"),
        ),
        y=alt.Y("verdict_label:O", title=None, scale=alt.Scale(domain=VERDICT_LABELS)),
    )
    cells_layer = (
        base.mark_rect(cornerRadius=3, cursor="pointer")
        .encode(
            color=_verdict_colour("verdict_label", legend=False),  # the rows name them
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            stroke=alt.condition(pick, alt.value("#000000"), alt.value(None), empty=False),
            strokeWidth=alt.value(3),
            tooltip=[
                alt.Tooltip("verdict_label:N", title="Verdict"),
                alt.Tooltip("certainty:N", title="Certainty"),
                alt.Tooltip("claims:Q", title="Claims"),
            ],
        )
        .add_params(pick)
    )
    counts = base.mark_text(fontSize=15, fontWeight="bold").encode(
        text=alt.Text("claims:Q", format=","), color=alt.Color("ink:N", scale=None)
    )
    return alt.layer(cells_layer, counts).properties(height=260)


def evidence_years_chart(rows: Iterable[Mapping[str, Any]]) -> alt.Chart:
    """Evidence links per publication year, stacked by study design; retracted papers are
    their own (black) part of the bar. Clicking a part selects its year and group."""
    frame = pd.DataFrame(
        [
            {
                "year": year_label(r["year"]),
                "group": r["group"],
                "design": DESIGN_LABELS.get(r["group"], r["group"]),
                "rank": list(DESIGN_LABELS).index(r["group"])
                if r["group"] in DESIGN_LABELS
                else 99,
                "links": r["links"],
                "papers": r["papers"],
            }
            for r in rows
        ],
        columns=["year", "group", "design", "rank", "links", "papers"],
    )
    # every year from the first to the last, those with no paper included, so the axis keeps
    # time's proportions (a gap is a gap); papers with no year stand apart at the end
    known = sorted(int(y) for y in set(frame["year"]) if y != NO_YEAR)
    years = [str(y) for y in range(known[0], known[-1] + 1)] if known else []
    years += [NO_YEAR] if NO_YEAR in set(frame["year"]) else []
    present = [g for g in DESIGN_LABELS if g in set(frame["group"])]
    pick = alt.selection_point(name=YEAR_BAR, fields=["year", "group"])
    return (
        alt.Chart(frame)
        .mark_bar(cursor="pointer")
        .encode(
            x=alt.X(
                "year:O",
                sort=years,
                scale=alt.Scale(domain=years),
                title="Publication year",
                # a label every five years (and "no year"): all forty would overlap
                axis=alt.Axis(
                    labelExpr=f"datum.value == '{NO_YEAR}' || toNumber(datum.value) % 5 == 0"
                    " ? datum.value : ''",
                    labelOverlap=False,
                    labelAngle=-45,
                ),
            ),
            y=alt.Y("links:Q", stack="zero", title="Evidence links"),
            color=alt.Color(
                "design:N",
                title="Study design",
                scale=alt.Scale(
                    domain=[DESIGN_LABELS[g] for g in present],
                    range=[GROUP_HEX[g] for g in present],
                ),
                legend=alt.Legend(orient="right"),
            ),
            order=alt.Order("rank:Q"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.4)),
            tooltip=[
                alt.Tooltip("year:N", title="Year"),
                alt.Tooltip("design:N", title="Design"),
                alt.Tooltip("links:Q", title="Evidence links"),
                alt.Tooltip("papers:Q", title="Papers"),
            ],
        )
        .add_params(pick)
        .properties(height=320)
    )


# --- Graphviz ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def dot_string(text: object) -> str:
    """``text`` as a quoted DOT string: backslashes and quotes escaped, so no escape sequence
    (\\N, \\G, \\l ...) and no end of string can come from the ledger."""
    plain = _CONTROL.sub(" ", "" if text is None else str(text))
    return '"' + plain.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lines(*lines: str) -> str:
    # each line escaped on its own, then joined with DOT's own line break
    return "\\n".join(dot_string(line)[1:-1] for line in lines)


def claim_href(claim_id: str) -> str:
    """The address of a claim's page, relative to the dashboard's own pages."""
    return "claim?id=" + quote(claim_id, safe="")


def _ink(fill_name: str) -> str:
    return "#ffffff" if fill_name in ("green", "blue", "red") else "#111111"


def chain_dot(
    claims: Mapping[str, Mapping[str, Any]],
    edges: Sequence[tuple[str, str]],
    *,
    weakest: Collection[str] = (),
    highlight: Sequence[str] = (),
    width: int = 20,
    max_lines: int = 14,
) -> str:
    """A mechanism as a DOT graph: one box per claim, filled with its verdict's colour, each
    linking to its claim page; the weakest steps with a thick red border and a note. With a
    ``highlight`` chain its links are drawn bold and the others faint.

    ``claims`` maps each id to a summary (statement, verdict, certainty, overridden).
    Labels are quoted text, never HTML-like labels, so a statement cannot become markup.

    The page scales the drawing to its width, so a mechanism's six steps side by side set
    the text size: narrow, tall boxes with the whole statement (up to 280 characters) read
    at about 13 px on a 1,400 px screen, where 30-character lines cut at five read at 9.
    """
    ids = sorted({c for e in edges for c in e} | set(highlight))
    node = {c: f"n{i}" for i, c in enumerate(ids)}
    on_path = set(zip(highlight, highlight[1:], strict=False))
    out = [
        "digraph chain {",
        '  graph [rankdir=LR, bgcolor="transparent", nodesep=0.25, ranksep=0.3, '
        'fontname="Helvetica,Arial,sans-serif"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica,Arial,sans-serif", '
        'fontsize=14, margin="0.12,0.08", penwidth=1, color="#555555"];',
        '  edge [color="#666666", arrowsize=0.8];',
    ]
    for c in ids:
        info = claims.get(c, {})
        verdict = info.get("verdict", Verdict.unproven.value)
        colour = VERDICT_COLOURS.get(verdict, "gray")
        statement = " ".join(str(info.get("statement", c)).split())
        wrapped = textwrap.wrap(statement, width, max_lines=max_lines, placeholder=" …") or [c]
        status = f"{Verdict(verdict).label} · {info.get('certainty', '?')}"
        if info.get("overridden"):
            status += " · override"
        lines = [*wrapped, status]
        attrs = {
            "fillcolor": dot_string(HEX[colour]),
            "fontcolor": dot_string(_ink(colour)),
            "URL": dot_string(claim_href(c)),
            "target": dot_string("_self"),
            "tooltip": dot_string(short(str(info.get("statement", c)), 300)),
        }
        if c in weakest:
            lines.append("⚠ WEAKEST STEP")
            attrs |= {"color": dot_string(WEAKEST_HEX), "penwidth": "4"}
        elif highlight and c not in highlight:
            attrs["color"] = dot_string("#bbbbbb")
        label = '"' + _lines(*lines) + '"'
        out.append(
            f"  {node[c]} [label={label}, " + ", ".join(f"{k}={v}" for k, v in attrs.items()) + "];"
        )
    for a, b in edges:
        style = ""
        if highlight:
            style = ' [penwidth=3, color="#222222"]' if (a, b) in on_path else ' [color="#c8c8c8"]'
        out.append(f"  {node[a]} -> {node[b]}{style};")
    out.append("}")
    return "\n".join(out)
