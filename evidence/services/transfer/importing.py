"""Bibliographic files into the ledger: each paper stored once, a duplicate merged into it.

A record is the same paper as a stored one when they share a DOI, PMID or PMCID; failing
that, when they share the normalised title, year and first author (``Reference.title_key``),
or when the record carries a stored paper's key (our own exports do) and its title.
A duplicate fills the stored paper's empty fields and never overwrites one: what a curator
or an earlier source wrote stays. Records are taken in batches, so that matching is a few
indexed queries per batch and the new papers are written with one statement per batch; the
whole file is one transaction, and memory holds one batch, not the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import islice
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from evidence import clock
from evidence.domain.metadata import IDENTIFIERS
from evidence.domain.models import Evidence, Reference
from evidence.domain.names import ascii_text, family_name
from evidence.domain.publication_types import suggest_design
from evidence.domain.vocab import Stance, parse
from evidence.errors import InvalidRecord, MissingValue
from evidence.formats.citations import BrokenRecord, Citation
from evidence.formats.pubmed_xml import DeletedCitations
from evidence.formats.reading import OpenedFile, open_records
from evidence.services.records.evidence import judgements, link_evidence
from evidence.services.records.references import record_update, reference_snapshot
from evidence.services.transfer.import_matching import Index
from evidence.services.transfer.import_merging import clash, fill, label_of, title_key_of
from evidence.store import history, verdicts
from evidence.store.queries import get_claim
from evidence.store.tables import table_of

__all__ = ["Attachment", "ImportReport", "RecordResult", "import_file", "open_records"]

BATCH = 500
KEPT = 1000  # merged and skipped records the report holds in full


class Action(StrEnum):
    imported = "imported"
    merged = "merged"
    skipped = "skipped"


@dataclass(frozen=True)
class RecordResult:
    """What became of one record of the file."""

    position: int
    where: str  # "record 3 (line 41, smith2019)"
    action: Action
    reference: str | None = None  # the stored paper's key
    detail: str | None = None  # why it was skipped, or what the merge filled
    linked: str | None = None  # with --claim: "linked" or "already linked"

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "where": self.where,
            "action": self.action.value,
            "reference": self.reference,
            "detail": self.detail,
            "linked": self.linked,
        }


@dataclass(frozen=True)
class Attachment:
    """Link every imported paper to one claim, with one stance and rationale."""

    claim_id: str
    stance: str
    rationale: str
    downgrades: tuple[str, ...] = ()
    upgrades: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """Counts for the whole file; the records worth reading (merged, skipped) kept in full.

    Imported records are only counted here, so a file of a million papers does not keep a
    million results: ``on_result`` sees every one as it happens.
    """

    file: str
    format: str
    counts: dict[str, int] = field(default_factory=lambda: {a.value: 0 for a in Action})
    merged: list[RecordResult] = field(default_factory=list)
    skipped: list[RecordResult] = field(default_factory=list)
    linked: int = 0
    already_linked: int = 0
    deleted: list[str] = field(default_factory=list)  # PubMed's DeleteCitation, as sentences

    def add(self, result: RecordResult) -> None:
        self.counts[result.action.value] += 1
        # the first KEPT of each are enough to read; a re-import of a large file would
        # otherwise hold one result per record (on_result sees them all)
        if result.action is Action.merged and len(self.merged) < KEPT:
            self.merged.append(result)
        elif result.action is Action.skipped and len(self.skipped) < KEPT:
            self.skipped.append(result)
        if result.linked == "linked":
            self.linked += 1
        elif result.linked:
            self.already_linked += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "records": self.total,
            **self.counts,
            "linked": self.linked,
            "already_linked": self.already_linked,
            "merged_records": [r.to_dict() for r in self.merged],
            "skipped_records": [r.to_dict() for r in self.skipped],
            "deleted_citations": self.deleted,
        }


def import_file(
    session: Session,
    opened: OpenedFile,
    *,
    actor: str,
    attach: Attachment | None = None,
    strict: bool = False,
    on_result: Callable[[RecordResult], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every readable record of ``opened``; with ``strict`` any unreadable or
    conflicting record fails the whole file (the caller's transaction then rolls back)."""
    if attach is not None:  # a bad claim, stance or judgement fails before any work
        get_claim(session, attach.claim_id)
        parse(Stance, attach.stance, field="stance")
        judgements(downgrades=attach.downgrades, upgrades=attach.upgrades)
        if not attach.rationale.split():
            raise MissingValue("rationale", "every paper linked to the claim needs one")
    verdicts.lock(session)  # merges and links move verdicts; take turns with other writers
    report = ImportReport(opened.name, opened.format)
    batcher = _Batch(session, opened, actor=actor, attach=attach)
    records = iter(opened.records)
    while chunk := list(islice(records, BATCH)):
        for result in batcher.run(chunk, report):
            report.add(result)
            if on_result is not None:
                on_result(result)
        if progress is not None:
            progress(opened.done())
    if strict and report.skipped:
        shown = "; ".join(f"{r.where}: {r.detail}" for r in report.skipped[:5])
        skipped = report.counts[Action.skipped.value]
        more = skipped - 5
        raise InvalidRecord(
            opened.name,
            None,
            f"{skipped} record(s) could not be imported and --strict is on, so "
            f"nothing was written: {shown}" + (f"; and {more} more" if more > 0 else ""),
        )
    return report


class _Batch:
    """Matches and writes one batch of records at a time."""

    def __init__(
        self, session: Session, opened: OpenedFile, *, actor: str, attach: Attachment | None
    ) -> None:
        self.session = session
        self.actor = actor
        self.attach = attach
        self.source = f"import:{opened.format}"
        self.reason = f"imported from {opened.name}"
        self.name = opened.name

    def run(
        self, chunk: list[Citation | BrokenRecord | DeletedCitations], report: ImportReport
    ) -> Iterator[RecordResult]:
        citations = [c for c in chunk if isinstance(c, Citation)]
        self.title_keys = {c.position: title_key_of(c) for c in citations}
        index = Index(self._stored_matches(citations))
        bases = {_base_key(c) for c in citations}
        index.keys.update(
            self.session.scalars(select(Reference.key).where(col(Reference.key).in_(bases)))
        )
        pending: list[dict[str, Any]] = []
        results: list[RecordResult | tuple[Citation, dict[str, Any], str | None]] = []
        for item in chunk:
            if isinstance(item, DeletedCitations):
                report.deleted.extend(self._deleted(item))
            elif isinstance(item, BrokenRecord):
                results.append(
                    RecordResult(item.position, item.where, Action.skipped, detail=item.problem)
                )
            else:
                results.append(self._place(item, index, pending))
        self._insert(pending)
        for result in results:
            if isinstance(result, RecordResult):
                yield self._linked(result)
                continue
            citation, row, merged_into = result
            key = row["key"]
            if merged_into is None:
                done = RecordResult(citation.position, citation.where, Action.imported, key)
            else:
                done = RecordResult(
                    citation.position,
                    citation.where,
                    Action.merged,
                    key,
                    detail=f"same paper as record {merged_into} of this file",
                )
            yield self._linked(done)

    # -- matching -----------------------------------------------------------------------

    def _stored_matches(self, citations: list[Citation]) -> list[Reference]:
        conditions = []
        for name in IDENTIFIERS:
            values = {getattr(c, name) for c in citations if getattr(c, name)}
            if values:
                conditions.append(getattr(Reference, name).in_(values))
        keys = {k for k in self.title_keys.values() if k}
        if keys:
            conditions.append(col(Reference.title_key).in_(keys))
        labels = {c.label for c in citations if c.label}
        if labels:
            conditions.append(col(Reference.key).in_(labels))
        if not conditions:
            return []
        return list(self.session.scalars(select(Reference).where(or_(*conditions))))

    def _place(
        self, citation: Citation, index: Index, pending: list[dict[str, Any]]
    ) -> RecordResult | tuple[Citation, dict[str, Any], str | None]:
        """Merge the record into the paper it duplicates, or queue it as a new paper."""
        by_id = index.by_identifiers(citation)
        if len(by_id) > 1:
            names = ", ".join(sorted(label_of(t) for t in by_id))
            return RecordResult(
                citation.position,
                citation.where,
                Action.skipped,
                detail=f"its identifiers belong to different stored papers ({names}): "
                "they may be one paper stored twice; merge those first",
            )
        target = by_id[0] if by_id else index.by_title(self.title_keys[citation.position])
        if target is None and not by_id:
            target = index.by_label(citation)
        if target is not None:
            differs = clash(target, citation)
            if differs and by_id:
                return RecordResult(
                    citation.position,
                    citation.where,
                    Action.skipped,
                    detail=f"matches {label_of(target)} but {differs}",
                )
            if differs:
                target = None  # same title, year and author but another DOI: another paper
        if target is None:
            row = self._new_row(citation, index)
            pending.append(row)
            index.add(row)
            return citation, row, None
        if isinstance(target, dict):  # a paper met earlier in this same batch
            fill(target, citation)
            index.add(target)
            return citation, target, str(target["_position"])
        return self._merge(target, citation, index)

    def _merge(self, ref: Reference, citation: Citation, index: Index) -> RecordResult:
        before = reference_snapshot(ref)
        filled = fill(ref, citation)
        if filled:
            ref.metadata_at = ref.metadata_at or clock.now()
            record_update(
                self.session,
                ref,
                before,
                actor=self.actor,
                reason=f"merged from {self.name} {citation.where}: filled "
                + ", ".join(f.replace("_", " ") for f in filled),
                other_changes=True,
            )
            index.add(ref)
        detail = "filled " + ", ".join(f.replace("_", " ") for f in filled) if filled else None
        detail = detail or "nothing new"
        return RecordResult(
            citation.position, citation.where, Action.merged, ref.key, detail=detail
        )

    # -- writing ------------------------------------------------------------------------

    def _new_row(self, citation: Citation, index: Index) -> dict[str, Any]:
        notices = [n.to_dict() for n in citation.notices]
        design = suggest_design(citation.publication_types)
        status = citation.retraction
        row: dict[str, Any] = {
            "key": self._key(citation, index),
            "doi": citation.doi,
            "pmid": citation.pmid,
            "pmcid": citation.pmcid,
            "title": citation.title,
            "authors": list(citation.authors),
            "journal": citation.journal,
            "year": citation.year,
            "publication_types": list(citation.publication_types),
            "keywords": list(citation.keywords),
            "design": None,
            "suggested_design": design.value if design else None,
            "review_of": None,
            "sample_size": None,
            "abstract": citation.abstract,
            "summary": None,
            "notes": None,
            "retraction": status.value if status else None,
            "retraction_notices": notices,
            "seen_at": [],
            "metadata_source": self.source,
            "metadata_at": clock.now(),
            "title_key": self.title_keys[citation.position],
            "_position": citation.position,
        }
        return row

    def _key(self, citation: Citation, index: Index) -> str:
        base = _base_key(citation)
        key, n = base, 1
        while key in index.keys or (  # the batch's base keys were looked up all at once
            n > 1 and self.session.scalar(select(Reference.id).where(Reference.key == key))
        ):
            n += 1
            key = f"{base}-{n}"
        index.keys.add(key)
        return key

    def _insert(self, pending: list[dict[str, Any]]) -> None:
        """Write the batch's new papers and their history, one statement each."""
        if not pending:
            return
        rows = [{k: v for k, v in row.items() if not k.startswith("_")} for row in pending]
        # Core, not the ORM's bulk path: a tenth of the overhead, and these rows need no events
        self.session.execute(table_of(Reference).insert(), rows)
        history.record_many(
            self.session,
            [
                history.entry(
                    entity="reference",
                    key=row["key"],
                    claim_id=None,
                    action="create",
                    actor=self.actor,
                    before=None,
                    after=reference_snapshot(row),
                    reason=f"{self.reason}, record {row['_position']}",
                )
                for row in pending
            ],
        )

    def _linked(self, result: RecordResult) -> RecordResult:
        if self.attach is None or result.reference is None:
            return result
        attach = self.attach
        ref_id = self.session.scalar(select(Reference.id).where(Reference.key == result.reference))
        exists = self.session.scalar(
            select(Evidence.id).where(
                Evidence.claim_id == attach.claim_id, Evidence.reference_id == ref_id
            )
        )
        if exists is not None:  # a curator's judgement of this paper is not re-graded
            return replace(result, linked="already linked")
        link_evidence(
            self.session,
            claim_id=attach.claim_id,
            ref=result.reference,
            actor=self.actor,
            stance=attach.stance,
            rationale=attach.rationale,
            downgrades=attach.downgrades,
            upgrades=attach.upgrades,
            reason=f"{self.reason}, {result.where}",
        )
        return replace(result, linked="linked")

    def _deleted(self, item: DeletedCitations) -> list[str]:
        stored: dict[str, str] = dict(
            self.session.execute(
                select(Reference.pmid, Reference.key).where(col(Reference.pmid).in_(item.pmids))
            ).all()
        )
        return [
            f"PubMed deleted PMID {pmid} (record {item.position}): "
            + (
                f"stored paper {stored[pmid]!r} is kept; check it"
                if pmid in stored
                else "not stored here"
            )
            for pmid in item.pmids
        ]


def _base_key(citation: Citation) -> str:
    """The key a new paper gets: its strongest identifier, else the record's own name in the
    file (a citation key people know it by, and what finds it again on the next import),
    else a readable slug."""
    for name in ("pmid", "doi", "pmcid"):  # strongest first: not IDENTIFIERS' order
        value = getattr(citation, name)
        if value:
            return f"{name}:{value}"
    label = " ".join((citation.label or "").split())
    return label[:180] if label else _slug(citation)


def _slug(citation: Citation) -> str:
    """A readable key for a paper with no identifier: 'smith-2019-plantar'."""
    parts = []
    if citation.authors:
        parts.append(family_name(citation.authors[0]))
    if citation.year:
        parts.append(str(citation.year))
    words = [w for w in re.findall(r"\w+", citation.title or "") if len(w) > 3]
    if words:
        parts.append(words[0])
    text = ascii_text("-".join(parts))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (slug or "untitled")[:180]
