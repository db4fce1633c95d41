"""Small rendering helpers shared by the dashboard pages. Ledger text is escaped, never markup."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import quote

from evidence.domain.identifiers import IdKind
from evidence.domain.metadata import SERVICE_NAMES
from evidence.domain.vocab import Band, Design, Verdict
from evidence.services.views.history_text import describe_change  # noqa: F401 (the pages take it from here)

# the colours st.badge takes
Colour = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]
VERDICT_COLOURS: dict[str, Colour] = {
    Verdict.supported.value: "green",
    Verdict.limited_support.value: "blue",
    Verdict.contested.value: "orange",
    Verdict.refuted.value: "red",
    Verdict.unproven.value: "gray",
}
BAND_ORDER = [Band.supported, Band.disputed, Band.unproven]
BAND_BLURBS = {
    Band.supported: "Evidence of low certainty or better supports it and none of that "
    "strength refutes it.",
    Band.disputed: "Evidence of low certainty or better refutes it (refuted), or stands on "
    "both sides (contested).",
    Band.unproven: "Not yet assessed, searched without result, or only very low certainty "
    "or insufficient evidence.",
}

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")


# what a study design is called on screen
DESIGN_LABELS = {
    Design.systematic_review_meta_analysis.value: "Meta-analysis",
    Design.systematic_review.value: "Systematic review",
    Design.rct.value: "RCT",
    Design.cohort.value: "Cohort",
    Design.case_control.value: "Case-control",
    Design.cross_sectional.value: "Cross-sectional",
    Design.case_series.value: "Case series",
    Design.case_report.value: "Case report",
    Design.cadaver_anatomical.value: "Cadaver / anatomical",
    Design.lab_mechanistic.value: "Lab / mechanistic",
    Design.narrative_review.value: "Narrative review",
    Design.expert_opinion.value: "Expert opinion",
    "not_recorded": "Design not recorded",
    "retracted": "Retracted (excluded)",
}


def md_text(text: object) -> str:
    """Text shown through st.markdown as literal text: every markdown character escaped.

    Streamlit never renders raw HTML here (unsafe_allow_html stays off); escaping also stops
    a claim or quote from turning itself into links, emphasis or headings.
    """
    return _MARKDOWN.sub(r"\\\1", "" if text is None else str(text))


def verdict_label(verdict: str) -> str:
    return Verdict(verdict).label


LINK_NAMES = {IdKind.pmid: "PubMed", IdKind.doi: "doi.org", IdKind.pmcid: "PMC"}


def safe_url(url: str) -> str:
    """A paper's address fit for a link: a DOI may hold ( ) < > # or spaces, which,
    percent-encoded, can neither end a Markdown link early nor become a fragment (doi.org
    decodes them)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{quote(rest, safe='/:;,~+@=&')}"


def short(text: str, limit: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def span(first: int, count: int, total: int) -> str:
    """Which of ``total`` claims a page lists, from the 0-based ``first``."""
    if count == 1:
        return f"Claim {first + 1:,} of {total:,}"
    return f"Claims {first + 1:,}–{first + count:,} of {total:,}"


def option(text: str, key: str, limit: int = 80) -> str:
    """A picker's label: shortened text, then the id. Streamlit tells options apart by their
    labels, so two statements that start alike must not shorten to the same one."""
    return f"{short(text, limit)} · {key}"


def certainty_text(claim: Mapping[str, Any]) -> str:
    """The certainty as shown: under an override the one the curator's verdict stands at,
    with the grading's own verdict and certainty beside it."""
    text = f"{claim['certainty_symbols']} {claim['certainty']}"
    if claim.get("overridden"):
        computed = verdict_label(claim["computed_verdict"]).lower()
        return (
            f"{text} (computed: {computed}, "
            f"{claim['computed_certainty_symbols']} {claim['computed_certainty']})"
        )
    return text


def counts_text(claim: Mapping[str, Any]) -> str:
    parts = [f"{claim['supporting']} supporting", f"{claim['refuting']} refuting"]
    if claim["mixed"]:
        parts.append(f"{claim['mixed']} mixed (count on both sides)")
    if claim["retracted"]:
        parts.append(f"{claim['retracted']} retracted (excluded)")
    return " · ".join(parts)


NOTICE_LABELS = {
    "retracted": "RETRACTED",
    "retracted_and_republished": "RETRACTED AND REPUBLISHED",
    "expression_of_concern": "EXPRESSION OF CONCERN",
    "corrected": "CORRECTED",
}


def notice_text(notices: list[dict]) -> str:
    """Who said a paper was retracted, corrected or of concern, and in which notice."""
    return "; ".join(
        f"{SERVICE_NAMES.get(n['service'], n['service'])}: {n['detail']}"
        + (f" ({n['notice']})" if n.get("notice") else "")
        for n in notices
    )


# A badge's colour: the text in a mid tone and a faint fill of it, readable on the light
# theme and the dark one alike (Streamlit's own badge colours are theme variables that
# st.html cannot name).
_BADGE_RGB = {
    "green": "33, 150, 83",
    "blue": "28, 111, 209",
    "orange": "214, 104, 0",
    "red": "214, 45, 45",
    "gray": "120, 124, 134",
}
CARD_HELP = "Verdict · GRADE certainty of the evidence · kind of claim · papers counted"


def _badge(text: str, colour: str) -> str:
    rgb = _BADGE_RGB[colour]
    return (
        f'<span style="color: rgb({rgb}); background: rgba({rgb}, 0.12); border-radius: 0.5rem;'
        f' padding: 0.05rem 0.4rem; font-size: 0.875rem; white-space: nowrap">'
        f"{html.escape(text)}</span>"
    )


def claim_card_html(claim: Mapping[str, Any]) -> str:
    """A claim's statement, verdict line and explanation as one block of HTML.

    The overview shows sixty of these: as Markdown they were most of the browser's work on
    the page (each is parsed and drawn as a tree of React components), where HTML made here
    is set in one go. Every piece of ledger text is escaped.
    """
    label = verdict_label(claim["verdict"]) + (" · override" if claim["overridden"] else "")
    line = [
        _badge(label, VERDICT_COLOURS[claim["verdict"]]),
        html.escape(certainty_text(claim)),
        html.escape(claim["type"]),
        html.escape(counts_text(claim)),
    ]
    if claim["retracted"]:
        line.append(_badge("⚠ Cites retracted evidence", "red"))
    return (
        f'<p style="margin: 0 0 0.4rem; font-weight: 600">{html.escape(claim["statement"])}</p>'
        f'<p style="margin: 0 0 0.4rem" title="{html.escape(CARD_HELP)}">'
        + " · ".join(line)
        + "</p>"
        f'<p style="margin: 0; font-size: 0.875rem; opacity: 0.7">'
        f"{html.escape(claim['explanation'])}</p>"
    )


# The overview's cards and the claim page's links to other claims are plain anchors: sixty
# st.page_link widgets (each a React component in its own bordered container) were most of
# what the browser drew, and st.button's code is one more file for a first visit to fetch.
# The script makes a plain click move inside the running app, as a page link does (no
# reload, so the session and a curator's sign-in stay): it takes the route the browser's
# back button takes, a history entry and a "popstate" event, which Streamlit answers by
# running the page the address names. Were a Streamlit version to stop answering (no run
# starts within two seconds), the address is already the new one and the page is loaded
# afresh.
PAGE_LINK_CLASS = "evidence-page-link"
PAGE_LINK_SCRIPT = f"""<script>
(() => {{
  if (window.evidencePageLinks) return;
  window.evidencePageLinks = true;
  let runs = 0;
  new MutationObserver((records) => {{
    for (const r of records)
      if (r.target.getAttribute("data-test-script-state") === "running") runs += 1;
  }}).observe(document, {{subtree: true, attributes: true,
                          attributeFilter: ["data-test-script-state"]}});
  document.addEventListener("click", (event) => {{
    const link = event.target.closest && event.target.closest("a.{PAGE_LINK_CLASS}");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const target = link.href;
    if (target === window.location.href) return;  // already there
    const before = runs;
    window.history.pushState(null, "", target);
    window.dispatchEvent(new PopStateEvent("popstate"));
    setTimeout(() => {{
      if (runs === before && window.location.href === target) window.location.reload();
    }}, 2000);
  }});
}})();
</script>"""
_LINK_STYLE = (
    "color: inherit; font-weight: 500; text-decoration: underline;"
    " text-decoration-color: rgba(128, 128, 128, 0.5); text-underline-offset: 0.2em"
)
_CARD_STYLE = (
    "border: 1px solid rgba(128, 128, 128, 0.3); border-radius: 0.5rem; padding: 1rem;"
    " margin-bottom: 1rem"
)


def _claim_anchor(claim_id: str, inner: str, *, style: str = _LINK_STYLE, title: str = "") -> str:
    """A link to a claim's page that moves within the app (PAGE_LINK_SCRIPT); the address is
    relative, so it holds under any base path the server is given."""
    hover = f' title="{html.escape(title)}"' if title else ""
    return (
        f'<a class="{PAGE_LINK_CLASS}" style="{style}"{hover} '
        f'href="claim?id={quote(claim_id, safe="")}">{inner}</a>'
    )


_CARD_LINK = "Evidence and details \u2192"


def claim_cards_html(claims: Iterable[Mapping[str, Any]]) -> str:
    """The overview's cards as one block: each claim's :func:`claim_card_html` in a bordered
    box with a link to its page."""
    return "".join(
        f'<div class="evidence-card" style="{_CARD_STYLE}">{claim_card_html(claim)}'
        f'<p style="margin: 0.6rem 0 0">{_claim_anchor(claim["id"], _CARD_LINK)}</p></div>'
        for claim in claims
    )


def claim_link_html(claim_id: str, text: str, verdict: str | None = None) -> str:
    """A link to another claim's page, with that claim's verdict as a badge when given."""
    badge = f" {_badge(verdict_label(verdict), VERDICT_COLOURS[verdict])}" if verdict else ""
    anchor = _claim_anchor(claim_id, f"\u2192 {html.escape(text)}")
    return f'<p style="margin: 0.2rem 0">{anchor}{badge}</p>'


# a label set in running text (a document's quote): small, so the text stays readable
_TAG_STYLE = (
    "color: inherit; text-decoration: none; font-size: 0.75rem; font-weight: 600;"
    " line-height: 1; padding: 0.05rem 0.35rem; margin: 0 0.1rem; border-radius: 0.6rem;"
    " border: 1px solid rgba(128, 128, 128, 0.6); vertical-align: 0.15em; white-space: nowrap"
)


def claim_tag_html(claim_id: str, text: str, *, title: str = "") -> str:
    """A small inline link to a claim's page, e.g. the label after a quote in its document;
    ``title`` (the claim's statement) shows on hover."""
    return _claim_anchor(claim_id, html.escape(text), style=_TAG_STYLE, title=title)


BadgeColour = Literal["green", "blue", "orange", "red", "gray"]  # those _BADGE_RGB has


def badge_html(text: str, colour: BadgeColour) -> str:
    """A badge in a block of HTML made here, like st.badge (text escaped)."""
    return _badge(text, colour)


def band_counts_html(counts: Mapping[str, int]) -> str:
    """The overview's head: each band's number of claims, and of each verdict in it.

    One block of HTML rather than three st.metric: the metric is the page's only use of a
    component whose code (and the charting library it brings) a first visit must fetch.
    """
    cells = []
    for band in BAND_ORDER:
        in_band = [v for v in Verdict if v.band is band]
        by_verdict = [f"{counts[v]:,} {v.label.lower()}" for v in in_band if counts.get(v)]
        cells.append(
            f'<div class="evidence-band-count" title="{html.escape(BAND_BLURBS[band])}"'
            ' style="flex: 1 1 12rem">'
            f'<div style="font-size: 0.875rem">{html.escape(band.label)}</div>'
            f'<div style="font-size: 2.25rem; line-height: 1.3">'
            f"{sum(counts.get(v, 0) for v in in_band):,}</div>"
            f'<div style="font-size: 0.875rem; opacity: 0.6">'
            f"{html.escape(' · '.join(by_verdict) or 'none')}</div></div>"
        )
    return f'<div style="display: flex; flex-wrap: wrap; gap: 1rem">{"".join(cells)}</div>'


def shared_steps_title(shared: int) -> str:
    """The heading of the card that lists once the first steps every chain below shares."""
    if shared == 1:
        return "**The first step of every chain below**"
    return f"**The first {shared} steps of every chain below**"


def shared_as_above(shared: int) -> str:
    return f"Steps 1–{shared}: as above." if shared > 1 else "Step 1: as above."


def chain_heading(number: int, chain: dict, verdict: str) -> str:
    """A chain card's first line: what the chain is as strong as, and which step that is."""
    step = chain["weakest_index"] + 1
    return (
        f"**Chain {number}** — as strong as its weakest step, step {step}: "
        f"{verdict} ({chain['certainty']})"
    )


def weakest_reason(chain: dict) -> str | None:
    """Why that step is marked when others are as weak by verdict and certainty."""
    if not chain["weakest_why"]:
        return None
    return md_text(f"Step {chain['weakest_index'] + 1} is marked: {chain['weakest_why']}.")


def weakest_of_note(chain_numbers: list[int], total: int) -> str:
    """A shared step's mark: which of the chains below it is the weakest step of."""
    if not chain_numbers:
        return ""
    if len(chain_numbers) == total:
        return " · ⚠ weakest step of every chain below"
    s = "s" if len(chain_numbers) > 1 else ""
    return f" · ⚠ weakest step of chain{s} " + ", ".join(map(str, chain_numbers))
