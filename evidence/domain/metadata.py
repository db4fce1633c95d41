"""A paper as the metadata services describe it, and how their answers are combined.

Each service answers in its own format (``evidence.formats``); each answer becomes a
:class:`PaperMetadata` naming its service. :func:`merge` combines the answers for one paper:
PubMed's curated record first, then Crossref, then OpenAlex, field by field; publication
types (and so the suggested design) come from PubMed only; notices of retraction, concern and
correction are pooled from every service, and the gravest decides the status.

:class:`Bibliographic` holds the fields a paper has however it is described: a service's
answer and a bibliographic file's record (``formats.citations.Citation``) both extend it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from evidence.domain.identifiers import IdKind
from evidence.domain.publication_types import gravest, suggest_design
from evidence.domain.vocab import Design, Retraction

SERVICES = ("pubmed", "crossref", "openalex")  # also the order of precedence in merge()
SERVICE_NAMES = {"pubmed": "PubMed", "crossref": "Crossref", "openalex": "OpenAlex"}


@dataclass(frozen=True)
class Notice:
    """One service's statement that the paper was retracted, corrected or is of concern."""

    status: Retraction
    service: str  # pubmed | crossref | openalex
    detail: str  # what the service said, e.g. "RetractionIn" or "retraction (retraction-watch)"
    notice: str | None = None  # the notice's own identifier (PMID or DOI), where given

    def describe(self) -> str:
        """E.g. "PubMed RetractionIn PMID 90099001"."""
        said = f"{SERVICE_NAMES[self.service]} {self.detail}"
        return f"{said} {self.notice}" if self.notice else said

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "service": self.service,
            "detail": self.detail,
            "notice": self.notice,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Notice:
        return cls(
            status=Retraction(data["status"]),
            service=str(data["service"]),
            detail=str(data["detail"]),
            notice=data.get("notice"),
        )


@dataclass(frozen=True, kw_only=True)
class Bibliographic:
    """What is said of a paper, by a file or a service; identifiers already normalised.

    Keyword-only, so that a record built on it puts its own required fields first.
    """

    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    year: int | None = None
    abstract: str | None = None
    publication_types: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()

    @property
    def retraction(self) -> Retraction | None:
        return gravest(n.status for n in self.notices)


# Bibliographic's fields by kind, each in the order imports fill them and report it (notices
# apart: they are pooled, never filled)
IDENTIFIERS = tuple(kind.value for kind in IdKind)
TEXT_FIELDS = ("title", "journal", "year", "abstract")
LIST_FIELDS = ("authors", "publication_types")


@dataclass(frozen=True)
class PaperMetadata(Bibliographic):
    service: str
    # after merge(): every service that answered
    services: tuple[str, ...] = field(default=(), kw_only=True)

    @property
    def suggested_design(self) -> Design | None:
        return suggest_design(self.publication_types)


def merge(records: Iterable[PaperMetadata]) -> PaperMetadata | None:
    """One description of a paper from several services' (None when no service knew it)."""
    ordered: Sequence[PaperMetadata] = sorted(records, key=lambda r: SERVICES.index(r.service))
    if not ordered:
        return None

    def first(name: str) -> Any:
        return next((getattr(r, name) for r in ordered if getattr(r, name)), None)

    notices: list[Notice] = []
    for record in ordered:
        notices.extend(n for n in record.notices if n not in notices)
    pubmed = next((r for r in ordered if r.service == "pubmed"), None)
    return replace(
        ordered[0],
        **{name: first(name) for name in (*IDENTIFIERS, *TEXT_FIELDS)},
        authors=first("authors") or (),
        publication_types=pubmed.publication_types if pubmed else (),
        notices=tuple(notices),
        services=tuple(r.service for r in ordered),
    )
