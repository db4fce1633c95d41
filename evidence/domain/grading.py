"""The grading engine: link certainty, claim verdict and the sentence that explains it.

Pure functions over plain values (no database, no I/O), following DESIGN.md "Grading":
a link starts from its study design read for the kind of claim, moves one GRADE level per
recorded downgrade or upgrade, and the claim's verdict compares the best supporting with
the best refuting certainty. Retracted papers contribute nothing but are counted and shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from evidence.domain.vocab import (
    REVIEW_DESIGNS,
    WITHDRAWN,
    Band,
    Certainty,
    ClaimType,
    Design,
    Downgrade,
    Retraction,
    ReviewOf,
    Stance,
    UnprovenReason,
    Upgrade,
    Verdict,
)

# The version of these rules. Stored verdicts carry the version that graded them: bump it
# with any change here that can move a verdict, a certainty, a count or a sentence, and
# `evidence init` regrades every claim (store/verdicts.py).
RULES_VERSION = 3

# Rows of DESIGN.md's table: what a design (or what a review pooled) is worth as a start.
_RCT, _OBSERVATIONAL, _ANATOMICAL, _LAB, _ANECDOTAL = "rct", "obs", "anat", "lab", "anec"

_DESIGN_ROW = {
    Design.rct: _RCT,
    Design.cohort: _OBSERVATIONAL,
    Design.case_control: _OBSERVATIONAL,
    Design.cross_sectional: _OBSERVATIONAL,
    Design.cadaver_anatomical: _ANATOMICAL,
    Design.lab_mechanistic: _LAB,
    Design.case_series: _ANECDOTAL,
    Design.case_report: _ANECDOTAL,
    Design.narrative_review: _ANECDOTAL,
    Design.expert_opinion: _ANECDOTAL,
}

_REVIEW_ROW = {
    ReviewOf.rcts: _RCT,
    ReviewOf.observational: _OBSERVATIONAL,
    ReviewOf.mixed: _OBSERVATIONAL,
    ReviewOf.anatomical: _ANATOMICAL,
    ReviewOf.case_reports: _ANECDOTAL,
}

# (other claim types, mechanism claims)
_START = {
    _RCT: (Certainty.high, Certainty.high),
    _OBSERVATIONAL: (Certainty.low, Certainty.low),
    _ANATOMICAL: (Certainty.very_low, Certainty.moderate),
    _LAB: (Certainty.very_low, Certainty.low),
    _ANECDOTAL: (Certainty.very_low, Certainty.very_low),
}


def design_row(design: Design | None, review_of: ReviewOf | None) -> str:
    """The row of the design table a paper is read on.

    A systematic review whose pooled designs are not recorded is read as a mixed review:
    assuming it pooled RCTs would overstate it. A paper with no design recorded is read
    as anecdotal until a curator (or the metadata) says otherwise.
    """
    if design is None:
        return _ANECDOTAL
    if design in REVIEW_DESIGNS:
        return _REVIEW_ROW[review_of or ReviewOf.mixed]
    return _DESIGN_ROW[design]


def starting_certainty(
    design: Design | None, review_of: ReviewOf | None, claim_type: ClaimType
) -> Certainty:
    other, mechanism = _START[design_row(design, review_of)]
    return mechanism if claim_type is ClaimType.mechanism else other


def move(start: Certainty, downgrades: int, upgrades: int) -> Certainty:
    level = start.value - downgrades + upgrades
    return Certainty(max(Certainty.very_low.value, min(Certainty.high.value, level)))


@dataclass(frozen=True)
class LinkInput:
    """What the engine needs of one evidence link (and of the paper behind it)."""

    reference: str
    stance: Stance
    design: Design | None
    review_of: ReviewOf | None = None
    downgrades: tuple[Downgrade, ...] = ()
    upgrades: tuple[Upgrade, ...] = ()
    retraction: Retraction | None = None

    @property
    def withdrawn(self) -> bool:
        return self.retraction in WITHDRAWN


@dataclass(frozen=True)
class LinkGrade:
    link: LinkInput
    start: Certainty
    certainty: Certainty
    counts: bool  # False for retracted papers and insufficient links

    @property
    def design_label(self) -> str:
        return design_noun(self.link.design, self.link.review_of, 1)


def grade_link(claim_type: ClaimType, link: LinkInput) -> LinkGrade:
    start = starting_certainty(link.design, link.review_of, claim_type)
    certainty = move(start, len(set(link.downgrades)), len(set(link.upgrades)))
    counts = not link.withdrawn and link.stance is not Stance.insufficient
    return LinkGrade(link=link, start=start, certainty=certainty, counts=counts)


@dataclass(frozen=True)
class SearchInput:
    database: str
    searched_on: date | None
    hits: int | None


@dataclass(frozen=True)
class OverrideInput:
    verdict: Verdict
    reason: str
    curator: str
    certainty: Certainty | None = None  # the curator's; else one that fits the verdict


# The certainties each verdict can have, as the grading gives them (DESIGN.md "Grading"):
# an override shows one of these, so "Unproven" never sits beside "moderate".
CERTAINTIES_OF = {
    Verdict.supported: (Certainty.moderate, Certainty.high),
    Verdict.limited_support: (Certainty.low,),
    Verdict.contested: (Certainty.low, Certainty.moderate, Certainty.high),
    Verdict.refuted: (Certainty.low, Certainty.moderate, Certainty.high),
    Verdict.unproven: (Certainty.very_low,),
}


def fitting_certainty(verdict: Verdict, computed: Certainty) -> Certainty:
    """The certainty an overridden verdict shows when the curator gave none: the computed
    one if the verdict can have it, else the nearest the verdict can have."""
    allowed = CERTAINTIES_OF[verdict]
    return min(allowed, key=lambda c: (abs(c.value - computed.value), -c.value))


@dataclass(frozen=True)
class ClaimGrade:
    """A claim's verdict with everything needed to explain it."""

    verdict: Verdict  # what is shown: the override if there is one
    certainty: Certainty  # the shown verdict's: under an override, the curator's
    explanation: str
    computed_verdict: Verdict
    computed_explanation: str
    unproven_reason: UnprovenReason | None
    links: tuple[LinkGrade, ...]
    override: OverrideInput | None = None
    limits: tuple[str, ...] = field(default=())
    computed_certainty: Certainty = Certainty.very_low  # the grading's own

    @property
    def band(self) -> Band:
        return self.verdict.band

    @property
    def supporting(self) -> int:
        return sum(1 for g in self.links if g.counts and g.link.stance is Stance.supports)

    @property
    def refuting(self) -> int:
        return sum(1 for g in self.links if g.counts and g.link.stance is Stance.refutes)

    @property
    def mixed(self) -> int:
        return sum(1 for g in self.links if g.counts and g.link.stance is Stance.mixed)

    @property
    def insufficient(self) -> int:
        return sum(
            1 for g in self.links if g.link.stance is Stance.insufficient and not g.link.withdrawn
        )

    @property
    def retracted(self) -> int:
        return sum(1 for g in self.links if g.link.withdrawn)

    @property
    def strength(self) -> tuple[int, int]:
        """Orders claims from weakest to strongest step: used for chains' weakest link."""
        return (_VERDICT_STRENGTH[self.verdict], self.certainty.value)


def rank(strength: tuple[int, int]) -> int:
    """A claim's place from strongest (0: supported, high) to weakest (refuted, very low),
    as one number an index can order by."""
    verdict, certainty = strength
    return (max(_VERDICT_STRENGTH.values()) - verdict) * 10 + (Certainty.high - certainty)


def strength_of(rank_value: int) -> tuple[int, int]:
    """The inverse of :func:`rank`."""
    verdict, certainty = divmod(rank_value, 10)
    return (max(_VERDICT_STRENGTH.values()) - verdict, Certainty.high - certainty)


# Refuted is the weakest step a chain can have (evidence says it does not hold), then
# unproven, contested, and the two levels of support.
_VERDICT_STRENGTH = {
    Verdict.refuted: 0,
    Verdict.unproven: 1,
    Verdict.contested: 2,
    Verdict.limited_support: 3,
    Verdict.supported: 4,
}


def grade_claim(
    claim_type: ClaimType,
    links: Iterable[LinkInput],
    searches: Sequence[SearchInput] = (),
    override: OverrideInput | None = None,
) -> ClaimGrade:
    """Grade a claim from its evidence links, the searches done for it and any override."""
    grades = tuple(grade_link(claim_type, link) for link in links)
    counted = [g for g in grades if g.counts]
    pro = [g for g in counted if g.link.stance in (Stance.supports, Stance.mixed)]
    con = [g for g in counted if g.link.stance in (Stance.refutes, Stance.mixed)]
    s = max((g.certainty for g in pro), default=None)
    r = max((g.certainty for g in con), default=None)
    low = Certainty.low

    unproven_reason = None
    if s is not None and r is not None and s >= low and r >= low:
        verdict, certainty = Verdict.contested, min(s, r)
    elif s is not None and s >= Certainty.moderate:
        verdict, certainty = Verdict.supported, s
    elif s == low:
        verdict, certainty = Verdict.limited_support, low
    elif r is not None and r >= low:
        verdict, certainty = Verdict.refuted, r
    else:
        verdict, certainty = Verdict.unproven, Certainty.very_low
        unproven_reason = _unproven_reason(grades, counted, searches)

    computed = _explain(verdict, certainty, grades, searches, unproven_reason)
    limits = _limits(verdict, pro, con, unproven_reason)
    if override is None:
        return ClaimGrade(
            verdict,
            certainty,
            computed,
            verdict,
            computed,
            unproven_reason,
            grades,
            None,
            limits,
            certainty,
        )
    fitted = override.certainty or fitting_certainty(override.verdict, certainty)
    shown = (
        f"{override.verdict.label} ({fitted.label}; curator override by {override.curator}: "
        f"{override.reason}). Computed: {computed}"
    )
    return ClaimGrade(
        override.verdict,
        fitted,
        shown,
        verdict,
        computed,
        unproven_reason,
        grades,
        override,
        limits,
        certainty,
    )


def _unproven_reason(
    grades: Sequence[LinkGrade], counted: Sequence[LinkGrade], searches: Sequence[SearchInput]
) -> UnprovenReason:
    if counted:
        return UnprovenReason.very_low_only
    if any(g.link.withdrawn for g in grades):
        return UnprovenReason.retracted_only
    if grades:
        return UnprovenReason.insufficient_only
    return UnprovenReason.searched_nothing_found if searches else UnprovenReason.not_assessed


# --- explanation ----------------------------------------------------------------------------

_NOUNS = {
    Design.rct: ("RCT", "RCTs"),
    Design.cohort: ("cohort study", "cohort studies"),
    Design.case_control: ("case-control study", "case-control studies"),
    Design.cross_sectional: ("cross-sectional study", "cross-sectional studies"),
    Design.case_series: ("case series", "case series"),
    Design.case_report: ("case report", "case reports"),
    Design.cadaver_anatomical: ("anatomical study", "anatomical studies"),
    Design.lab_mechanistic: ("laboratory study", "laboratory studies"),
    Design.narrative_review: ("narrative review", "narrative reviews"),
    Design.expert_opinion: ("expert opinion", "expert opinions"),
}
_REVIEW_NOUNS = {
    Design.systematic_review_meta_analysis: ("meta-analysis", "meta-analyses"),
    Design.systematic_review: ("systematic review", "systematic reviews"),
}
_POOLED = {
    ReviewOf.rcts: "RCTs",
    ReviewOf.observational: "observational studies",
    ReviewOf.mixed: "mixed designs",
    ReviewOf.anatomical: "anatomical studies",
    ReviewOf.case_reports: "case reports",
}


def design_noun(design: Design | None, review_of: ReviewOf | None, count: int) -> str:
    index = 0 if count == 1 else 1
    if design is None:
        return ("paper of unrecorded design", "papers of unrecorded design")[index]
    if design in REVIEW_DESIGNS:
        noun = _REVIEW_NOUNS[design][index]
        return f"{noun} of {_POOLED[review_of]}" if review_of else noun
    return _NOUNS[design][index]


def _tally(grades: Sequence[LinkGrade]) -> str:
    """'1 meta-analysis of RCTs and 2 cross-sectional studies', strongest kinds first."""
    groups: dict[tuple[Design | None, ReviewOf | None], list[LinkGrade]] = {}
    for g in grades:
        groups.setdefault((g.link.design, g.link.review_of), []).append(g)
    ordered = sorted(
        groups.items(),
        key=lambda item: (-max(g.certainty for g in item[1]), -len(item[1]), str(item[0])),
    )
    parts = [f"{len(gs)} {design_noun(d, rv, len(gs))}" for (d, rv), gs in ordered]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _side(
    grades: Sequence[LinkGrade], singular: str, plural: str, none: str, after: str = ""
) -> str:
    if not grades:
        return none
    verb = singular if len(grades) == 1 else plural
    return f"{_tally(grades)} {verb} ({_best(grades)}){after}"


def _best(grades: Sequence[LinkGrade]) -> str:
    """'best: low, an RCT downgraded from high for risk of bias': the best link's certainty
    and, when its judgements moved it, from where and why."""
    best = max(grades, key=lambda g: (g.certainty, g.start, -len(g.link.downgrades)))
    text = f"best: {best.certainty.label}"
    if best.certainty == best.start:
        return text
    noun = best.design_label
    moved = "downgraded" if best.certainty < best.start else "upgraded"
    reasons = best.link.downgrades if moved == "downgraded" else best.link.upgrades
    why = _words(sorted({r.value.replace("_", " ") for r in reasons}))
    return f"{text}, {_article(noun)} {noun} {moved} from {best.start.label} for {why}"


def _words(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" or noun.startswith("RCT") else "a"


def _explain(
    verdict: Verdict,
    certainty: Certainty,
    grades: Sequence[LinkGrade],
    searches: Sequence[SearchInput],
    unproven_reason: UnprovenReason | None,
) -> str:
    counted = [g for g in grades if g.counts]
    if unproven_reason == UnprovenReason.not_assessed:
        return "Unproven: not yet assessed — no evidence linked and no search recorded."
    if unproven_reason == UnprovenReason.searched_nothing_found:
        return f"Unproven: searched, nothing found — {_searches(searches)}."
    head = f"{verdict.label} ({certainty.label}): "
    if unproven_reason == UnprovenReason.retracted_only:
        head = "Unproven: no evidence counts. "
    elif unproven_reason == UnprovenReason.insufficient_only:
        head = "Unproven: the papers linked cannot bear on it either way. "
    elif unproven_reason == UnprovenReason.very_low_only:
        head = "Unproven (very low): only very low certainty evidence — "

    body = ""
    if counted:
        supports = [g for g in counted if g.link.stance is Stance.supports]
        refutes = [g for g in counted if g.link.stance is Stance.refutes]
        mixed = [g for g in counted if g.link.stance is Stance.mixed]
        # a link with mixed results counts for and against the claim: said so, so that
        # "none refute it" beside a contested verdict does not read as a contradiction
        for_it = _side(supports, "supports it", "support it", "none support it outright")
        against = _side(refutes, "refutes it", "refute it", "none refute it")
        if mixed:
            if not refutes:
                against = "none refute it outright"
            if not supports:
                for_it = "none support it outright"
            both = _side(
                mixed,
                "has mixed results",
                "have mixed results",
                "",
                after=f", so {'it counts' if len(mixed) == 1 else 'they count'} "
                "both for and against it",
            )
            if supports or refutes:
                body = f"{for_it}; {against}; {both}."
            else:
                body = f"{both}; none support or refute it outright."
        else:
            if not supports:
                for_it = "none support it"
            body = f"{for_it}; {against}."
    extras = []
    insufficient = [
        g for g in grades if g.link.stance is Stance.insufficient and not g.link.withdrawn
    ]
    if insufficient:
        n = len(insufficient)
        extras.append(f"{n} {'paper was' if n == 1 else 'papers were'} judged insufficient.")
    retracted = [g for g in grades if g.link.withdrawn]
    if retracted:
        n = len(retracted)
        extras.append(f"{n} retracted {'paper was' if n == 1 else 'papers were'} excluded.")
    return (head + " ".join([body, *extras]).strip()).strip()


def _searches(searches: Sequence[SearchInput]) -> str:
    n = len(searches)
    dated = sorted(
        (s for s in searches if s.searched_on is not None), key=lambda s: s.searched_on or date.min
    )
    latest = dated[-1] if dated else searches[-1]
    when = f", latest {latest.searched_on.isoformat()}" if latest.searched_on else ""
    return f"{n} search{'es' if n != 1 else ''} recorded ({latest.database}{when})"


def _limits(
    verdict: Verdict,
    pro: Sequence[LinkGrade],
    con: Sequence[LinkGrade],
    unproven_reason: UnprovenReason | None,
) -> tuple[str, ...]:
    """Why the verdict is not higher: what holds the best evidence for the claim back."""
    reasons: list[str] = []
    if verdict is Verdict.contested:
        best_con = max(g.certainty for g in con)
        reasons.append(f"refuting evidence of {best_con.label} certainty stands against it")
    elif verdict is Verdict.refuted:
        best_con = max(g.certainty for g in con)
        reasons.append(f"evidence of {best_con.label} certainty refutes it")
    elif unproven_reason in _UNPROVEN_LIMITS:
        reasons.append(_UNPROVEN_LIMITS[unproven_reason])
    best = max(pro, key=lambda g: (g.certainty, g.start)) if pro else None
    if best is not None and best.certainty < Certainty.high:
        # at high certainty nothing held the support back: upgrades offset any downgrade
        if best.start < Certainty.high:
            noun = best.design_label
            reasons.append(
                f"the best supporting evidence is {_article(noun)} {noun}, "
                f"which starts at {best.start.label} certainty for this kind of claim"
            )
        reasons.extend(
            f"it is downgraded for {d.value.replace('_', ' ')}" for d in best.link.downgrades
        )
    elif best is None and (
        verdict is not Verdict.unproven or unproven_reason == UnprovenReason.very_low_only
    ):
        reasons.append("no evidence supports it")
    return tuple(reasons)


_UNPROVEN_LIMITS = {
    UnprovenReason.not_assessed: "no evidence has been linked and no search is recorded",
    UnprovenReason.searched_nothing_found: "the searches recorded found no evidence",
    UnprovenReason.insufficient_only: "the papers linked cannot bear on it either way",
    UnprovenReason.retracted_only: "its only evidence comes from retracted papers",
    UnprovenReason.very_low_only: "all the evidence is of very low certainty",
}
