"""What a paper's publication types say: a suggested study design, and its retraction status.

The table maps MEDLINE publication types (the `PublicationType` elements of PubMed XML, the
`PT` lines of MEDLINE files) to the ledger's designs. Several types usually apply to one
paper; the first rule in :data:`DESIGN_RULES` that matches wins, so the most specific
design is suggested (a meta-analysis of trials is also tagged "Review"). A curator's design
always wins over a suggestion; types with no rule (e.g. "Comparative Study", "Journal
Article") suggest nothing rather than guess. "Observational Study" suggests a cohort study:
cohort, case-control and cross-sectional designs start at the same certainty, so the verdict
is right even before a curator names the exact design.
"""

from __future__ import annotations

from collections.abc import Iterable

from evidence.domain.vocab import Design, Retraction

# (publication type, design), in order of precedence.
DESIGN_RULES: tuple[tuple[str, Design], ...] = (
    ("Meta-Analysis", Design.systematic_review_meta_analysis),
    ("Systematic Review", Design.systematic_review),
    ("Randomized Controlled Trial", Design.rct),
    ("Pragmatic Clinical Trial", Design.rct),
    ("Equivalence Trial", Design.rct),
    ("Clinical Trial, Phase III", Design.rct),
    ("Observational Study", Design.cohort),
    ("Case Reports", Design.case_report),
    ("Practice Guideline", Design.narrative_review),
    ("Guideline", Design.narrative_review),
    ("Review", Design.narrative_review),
    ("Consensus Development Conference", Design.expert_opinion),
    ("Editorial", Design.expert_opinion),
    ("Comment", Design.expert_opinion),
    ("Letter", Design.expert_opinion),
)

_RULES = {ptype.casefold(): design for ptype, design in DESIGN_RULES}
_ORDER = {ptype.casefold(): i for i, (ptype, _) in enumerate(DESIGN_RULES)}


def suggest_design(publication_types: Iterable[str]) -> Design | None:
    """The design the most specific known publication type suggests, if any."""
    known = [t.strip().casefold() for t in publication_types if t.strip().casefold() in _RULES]
    if not known:
        return None
    return _RULES[min(known, key=_ORDER.__getitem__)]


# PubMed's CommentsCorrections RefType values that put a notice on the paper itself.
# (The "...Of" types sit on the notice and point at the paper: they say nothing of this one.)
NOTICE_REF_TYPES: dict[str, Retraction] = {
    "RetractionIn": Retraction.retracted,
    "RetractedandRepublishedIn": Retraction.retracted_and_republished,
    "ExpressionOfConcernIn": Retraction.expression_of_concern,
    "ErratumIn": Retraction.corrected,
}

# When several notices apply, the gravest is reported.
_GRAVITY = [
    Retraction.retracted_and_republished,
    Retraction.retracted,
    Retraction.expression_of_concern,
    Retraction.corrected,
]


def retraction_status(
    publication_types: Iterable[str], notice_ref_types: Iterable[str] = ()
) -> Retraction | None:
    """Retracted, republished, under an expression of concern, corrected, or None.

    ``publication_types`` may include "Retracted Publication"; ``notice_ref_types`` are the
    RefType attributes of the paper's CommentsCorrections entries.
    """
    found = {NOTICE_REF_TYPES[r] for r in notice_ref_types if r in NOTICE_REF_TYPES}
    if any(t.strip().casefold() == "retracted publication" for t in publication_types):
        found.add(Retraction.retracted)
    return gravest(found)


def gravest(statuses: Iterable[Retraction]) -> Retraction | None:
    """The gravest of several notices' statuses (None for none)."""
    found = set(statuses)
    return next((r for r in _GRAVITY if r in found), None)
