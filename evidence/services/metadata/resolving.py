"""Fill and refresh stored papers from the metadata services.

The services are asked first, outside any transaction (a run over hundreds of papers takes
seconds); then every answer is written in one transaction. A paper whose lookup failed, or
whose answer contradicts what is stored, is reported and left exactly as it was: one
paper's failure never stops or half-writes the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from evidence import clock
from evidence.domain.identifiers import Identifier, IdKind
from evidence.domain.metadata import SERVICE_NAMES, TEXT_FIELDS, PaperMetadata
from evidence.domain.models import Evidence, Reference
from evidence.domain.publication_types import gravest
from evidence.domain.vocab import WITHDRAWN, Retraction
from evidence.remote.http import Traffic
from evidence.remote.resolver import ERROR, FOUND, INVALID, Progress, Query, resolve
from evidence.services.records.references import (
    by_identifier,
    find_reference,
    record_update,
    reference_snapshot,
)
from evidence.settings import Settings
from evidence.store import verdicts
from evidence.store.engine import Store
from evidence.store.queries import get_claim
from evidence.store.tables import stored_id

RESOLVED, UNCHANGED, NOT_FOUND, FAILED = "resolved", "unchanged", "not_found", "failed"


@dataclass
class Outcome:
    key: str
    status: str  # resolved | unchanged | not_found | failed
    changed: tuple[str, ...] = ()
    retraction: str | None = None  # the status now stored, when it is one
    newly_retracted: bool = False
    problems: tuple[str, ...] = ()  # failures; with resolved/unchanged: services that failed
    title: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "changed": list(self.changed),
            "retraction": self.retraction,
            "newly_retracted": self.newly_retracted,
            "title": self.title,
            "error": "; ".join(self.problems) or None,
        }


@dataclass
class Summary:
    outcomes: list[Outcome]
    traffic: Traffic
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = {s: 0 for s in (RESOLVED, UNCHANGED, NOT_FOUND, FAILED)}
        for outcome in self.outcomes:
            self.counts[outcome.status] += 1

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]


def select_references(
    session: Session, *, refs: Sequence[str] = (), claim_id: str | None = None, every: bool = False
) -> list[Reference]:
    if every:
        return list(session.scalars(select(Reference).order_by(Reference.key)))
    chosen: dict[int, Reference] = {}
    for ref in refs:
        found = find_reference(session, ref)
        chosen[stored_id(found)] = found
    if claim_id is not None:
        get_claim(session, claim_id)
        cited = session.scalars(
            select(Reference)
            .join(Evidence, col(Evidence.reference_id) == Reference.id)
            .where(Evidence.claim_id == claim_id)
            .order_by(Reference.key)
        )
        for found in cited:
            chosen[stored_id(found)] = found
    return list(chosen.values())


def resolve_references(
    store: Store,
    settings: Settings,
    *,
    actor: str,
    refs: Sequence[str] = (),
    claim_id: str | None = None,
    every: bool = False,
    offline: bool = False,
    refresh: bool = False,
    progress: Progress | None = None,
    started: Callable[[int], None] | None = None,
) -> Summary:
    with store.reading() as session:
        targets = [
            (r.id, Query(r.key, pmid=r.pmid, doi=r.doi, pmcid=r.pmcid))
            for r in select_references(session, refs=refs, claim_id=claim_id, every=every)
        ]
    if started is not None:
        started(len(targets))
    askable = [(ref_id, q) for ref_id, q in targets if q.pmid or q.doi or q.pmcid]
    report = resolve(
        [q for _, q in askable], settings, offline=offline, refresh=refresh, progress=progress
    )
    answers = {ref_id: r for (ref_id, _), r in zip(askable, report.resolutions, strict=True)}
    outcomes: list[Outcome] = []
    with store.transaction() as session:
        verdicts.lock(session)  # a paper's design or retraction grades the claims citing it
        for ref_id, query in targets:
            resolution = answers.get(ref_id)
            reference = session.get(Reference, ref_id)
            if reference is None:
                outcomes.append(Outcome(query.input, FAILED, problems=("deleted meanwhile",)))
            elif (reference.pmid, reference.doi, reference.pmcid) != (
                query.pmid,
                query.doi,
                query.pmcid,
            ):
                problem = "its identifiers were edited while it was being resolved: run again"
                outcomes.append(Outcome(reference.key, FAILED, problems=(problem,)))
            elif resolution is None:
                problem = "no DOI, PMID or PMCID to look it up by: add one with `evidence ref edit`"
                outcomes.append(Outcome(reference.key, FAILED, problems=(problem,)))
            elif resolution.status in (ERROR, INVALID):
                outcomes.append(Outcome(reference.key, FAILED, problems=resolution.problems))
            elif resolution.status != FOUND or resolution.metadata is None:
                outcomes.append(Outcome(reference.key, NOT_FOUND))
            else:
                outcomes.append(
                    apply_metadata(
                        session,
                        reference,
                        resolution.metadata,
                        actor=actor,
                        problems=resolution.problems,
                    )
                )
    return Summary(outcomes, report.traffic, report.seconds)


def apply_metadata(
    session: Session,
    reference: Reference,
    meta: PaperMetadata,
    *,
    actor: str,
    problems: tuple[str, ...] = (),
) -> Outcome:
    """Write what the services said of one paper; a curator's design and a stored
    retraction are never overwritten by a milder answer."""
    fills: dict[str, str] = {}
    for kind in IdKind:
        given = getattr(meta, kind.value)
        if kind is IdKind.pmid and "pubmed" not in (meta.services or (meta.service,)):
            continue  # a PMID only OpenAlex links is not stored until PubMed confirms it
        if given and not getattr(reference, kind.value):
            other = by_identifier(session, Identifier(kind, given))
            if other is not None and other.id != reference.id:
                problem = (
                    f"the services give it {kind.value}:{given}, which stored paper "
                    f"{other.key!r} already has: they are the same paper, keep one"
                )
                return Outcome(reference.key, FAILED, problems=(problem, *problems))
            fills[kind.value] = given
    before = reference_snapshot(reference)
    old = {name: getattr(reference, name) for name in _COMPARED}
    for name, value in fills.items():
        setattr(reference, name, value)
    for name in TEXT_FIELDS:
        value = getattr(meta, name)
        if value is not None:
            setattr(reference, name, value)
    if meta.authors:
        reference.authors = list(meta.authors)
    if meta.publication_types:
        reference.publication_types = list(meta.publication_types)
        suggestion = meta.suggested_design
        reference.suggested_design = suggestion.value if suggestion else None
    stored = Retraction(reference.retraction) if reference.retraction else None
    status = gravest([s for s in (stored, meta.retraction) if s])
    reference.retraction = status.value if status else None
    # notices accumulate: a service failing or forgetting one must not erase the record
    notices = list(reference.retraction_notices)
    notices += [n.to_dict() for n in meta.notices if n.to_dict() not in notices]
    reference.retraction_notices = notices
    changed = tuple(name for name in _COMPARED if getattr(reference, name) != old[name])
    newly = status in WITHDRAWN and stored not in WITHDRAWN
    answered = meta.services or (meta.service,)
    if not changed:
        # checked just now all the same: a paper not refreshed lately is one whose
        # retraction status nobody has asked after (evidence check names those)
        reference.metadata_at = clock.now()
        if reference.metadata_source in (None, "curator"):
            reference.metadata_source = "+".join(answered)
        return Outcome(
            reference.key,
            UNCHANGED,
            retraction=reference.retraction,
            problems=problems,
            title=reference.title,
        )
    services = " + ".join(SERVICE_NAMES[s] for s in answered)
    reference.metadata_source = "+".join(answered)
    reference.metadata_at = clock.now()
    reason = f"metadata from {services}: " + ", ".join(c.replace("_", " ") for c in changed)
    if newly:
        said = "; ".join(n.describe() for n in meta.notices if n.status in WITHDRAWN)
        reason = f"RETRACTED ({said}); " + reason
    record_update(
        session,
        reference,
        before,
        actor=actor,
        reason=reason,
        other_changes=True,
    )
    return Outcome(
        reference.key,
        RESOLVED,
        changed=changed,
        retraction=reference.retraction,
        newly_retracted=newly,
        problems=problems,
        title=reference.title,
    )


# The stored columns a lookup may change, in the order the changes are reported (`resolve
# --json`, the history's reason): PMID first, unlike IDENTIFIERS, and with the columns
# stored from the types and notices, so spelled out rather than built from Bibliographic
_COMPARED = (
    "pmid",
    "doi",
    "pmcid",
    "title",
    "authors",
    "journal",
    "year",
    "abstract",
    "publication_types",
    "suggested_design",
    "retraction",
    "retraction_notices",
)
