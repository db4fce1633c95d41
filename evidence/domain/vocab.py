"""Controlled vocabularies of the evidence ledger.

Every value a curator may type for a closed field is listed here once; the grading engine,
the store, the seed loader and the CLI all parse through :func:`parse`, so an unknown value
is refused in one way everywhere.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import TypeVar

from evidence.errors import InvalidValue


class ClaimType(StrEnum):
    prevalence = "prevalence"
    association = "association"
    mechanism = "mechanism"
    causal = "causal"
    diagnostic = "diagnostic"
    treatment = "treatment"


class Stance(StrEnum):
    supports = "supports"
    refutes = "refutes"
    mixed = "mixed"
    insufficient = "insufficient"


class Design(StrEnum):
    systematic_review_meta_analysis = "systematic_review_meta_analysis"
    systematic_review = "systematic_review"
    rct = "rct"
    cohort = "cohort"
    case_control = "case_control"
    cross_sectional = "cross_sectional"
    case_series = "case_series"
    case_report = "case_report"
    cadaver_anatomical = "cadaver_anatomical"
    lab_mechanistic = "lab_mechanistic"
    narrative_review = "narrative_review"
    expert_opinion = "expert_opinion"


REVIEW_DESIGNS = frozenset({Design.systematic_review_meta_analysis, Design.systematic_review})


class ReviewOf(StrEnum):
    """What a systematic review pooled: a review starts where its studies start."""

    rcts = "rcts"
    observational = "observational"
    mixed = "mixed"
    anatomical = "anatomical"
    case_reports = "case_reports"


class Downgrade(StrEnum):
    risk_of_bias = "risk_of_bias"
    indirectness = "indirectness"
    imprecision = "imprecision"
    inconsistency = "inconsistency"


class Upgrade(StrEnum):
    large_effect = "large_effect"
    dose_response = "dose_response"


class Directness(StrEnum):
    direct = "direct"
    indirect = "indirect"


class RiskOfBias(StrEnum):
    high = "high"
    not_flagged = "not_flagged"


class UnprovenReason(StrEnum):
    """Why a claim is unproven, least known first: nothing looked for; searched, nothing
    found; only retracted papers; only papers that cannot bear on it; only very low
    certainty evidence."""

    not_assessed = "not_assessed"
    searched_nothing_found = "searched_nothing_found"
    retracted_only = "retracted_only"
    insufficient_only = "insufficient_only"
    very_low_only = "very_low_only"


class Certainty(IntEnum):
    """GRADE's four levels; the integer order is the order of strength."""

    very_low = 1
    low = 2
    moderate = 3
    high = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    @property
    def symbols(self) -> str:
        return "⊕" * self.value + "◯" * (4 - self.value)


class Verdict(StrEnum):
    supported = "supported"
    limited_support = "limited_support"
    contested = "contested"
    refuted = "refuted"
    unproven = "unproven"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]

    @property
    def band(self) -> Band:
        return VERDICT_BANDS[self]


class Band(StrEnum):
    supported = "supported"
    disputed = "disputed"
    unproven = "unproven"

    @property
    def label(self) -> str:
        return self.value.capitalize()


VERDICT_LABELS = {
    Verdict.supported: "Supported",
    Verdict.limited_support: "Limited support",
    Verdict.contested: "Contested",
    Verdict.refuted: "Refuted",
    Verdict.unproven: "Unproven",
}

VERDICT_BANDS = {
    Verdict.supported: Band.supported,
    Verdict.limited_support: Band.supported,
    Verdict.contested: Band.disputed,
    Verdict.refuted: Band.disputed,
    Verdict.unproven: Band.unproven,
}


class Role(StrEnum):
    """What an account may do: read, curate the ledger, or also manage the accounts."""

    viewer = "viewer"
    curator = "curator"
    admin = "admin"


class Relation(StrEnum):
    leads_to = "leads_to"
    refines = "refines"
    contradicts = "contradicts"


class SourceKind(StrEnum):
    guideline = "guideline"
    peer_reviewed_article = "peer_reviewed_article"
    educational_slide_deck = "educational_slide_deck"
    journalism = "journalism"
    health_article = "health_article"
    commercial_marketing = "commercial_marketing"
    forum_repost = "forum_repost"
    other = "other"


class Screening(StrEnum):
    """Where a candidate paper of a claim is in title/abstract screening."""

    unscreened = "unscreened"
    included = "included"  # for appraisal: it counts once an evidence link judges it
    excluded = "excluded"
    maybe = "maybe"  # to be looked at again, e.g. in full text


class ExclusionReason(StrEnum):
    """Why a candidate was excluded (PRISMA 2020 asks for the reasons and their counts)."""

    wrong_population = "wrong_population"
    wrong_exposure = "wrong_exposure"  # or intervention
    wrong_outcome = "wrong_outcome"
    wrong_design = "wrong_design"
    not_a_study = "not_a_study"
    duplicate = "duplicate"
    other = "other"  # with the curator's text

    @property
    def label(self) -> str:
        return {
            ExclusionReason.wrong_exposure: "wrong exposure or intervention",
        }.get(self, self.value.replace("_", " "))


class SearchService(StrEnum):
    """Where a recorded search ran when the tool ran it (a hand-logged one has none)."""

    pubmed = "pubmed"
    crossref = "crossref"
    openalex = "openalex"
    file = "file"  # a database's export read with --file (Embase, Scopus, WoS, PubMed)


class Retraction(StrEnum):
    retracted = "retracted"
    expression_of_concern = "expression_of_concern"
    corrected = "corrected"
    retracted_and_republished = "retracted_and_republished"


# The notices under which a paper no longer counts as evidence: the version cited is withdrawn.
WITHDRAWN = frozenset({Retraction.retracted, Retraction.retracted_and_republished})


E = TypeVar("E", bound=StrEnum)


def spelling(value: object) -> str:
    """A curator's word as the vocabularies spell theirs: "Risk of bias" -> "risk_of_bias"."""
    if value is None:
        return ""
    return str(value).strip().lower().replace("-", "_").replace(" ", "_")


def parse(enum: type[E], value: object, *, field: str) -> E:
    """Return ``value`` as a member of ``enum`` or raise :class:`InvalidValue` naming the field."""
    if isinstance(value, enum):
        return value
    text = spelling(value)
    try:
        return enum(text)
    except ValueError as exc:
        raise InvalidValue(field, value, [m.value for m in enum]) from exc
