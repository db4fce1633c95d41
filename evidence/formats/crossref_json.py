"""Crossref REST API responses (``/works/{doi}`` and ``/works?filter=doi:...``) read into
:class:`PaperMetadata`.

Crossref's ``updated-by`` entries put notices on the paper itself (a retraction, an
expression of concern, a correction), whether the publisher deposited them or they come from
the Retraction Watch database (``source``). Its ``update-to`` entries sit on the notice and
point at another paper, so they say nothing of this one.
"""

from __future__ import annotations

import html
import re
from typing import Any

from evidence.domain.identifiers import normalize_doi
from evidence.domain.metadata import Notice, PaperMetadata
from evidence.domain.vocab import Retraction
from evidence.errors import InvalidIdentifier, InvalidRecord

# Crossref update types -> the status they give the updated paper. Types not listed
# (new_version, new_edition ...) say nothing about whether the paper still stands.
UPDATE_TYPES: dict[str, Retraction] = {
    "retraction": Retraction.retracted,
    "withdrawal": Retraction.retracted,
    "removal": Retraction.retracted,
    "expression_of_concern": Retraction.expression_of_concern,
    "partial_retraction": Retraction.corrected,
    "correction": Retraction.corrected,
    "corrigendum": Retraction.corrected,
    "erratum": Retraction.corrected,
    "addendum": Retraction.corrected,
    "clarification": Retraction.corrected,
}

_TAG = re.compile(r"<[^>]+>")
_LABEL = "Crossref response"


def plain_text(markup: str | None) -> str | None:
    """Text of a JATS / HTML fragment (Crossref titles carry <i>, abstracts <jats:p>)."""
    if not markup:
        return None
    markup = re.sub(r"</(?:jats:)?title>", ": ", markup)  # "Background: ..." in abstracts
    text = " ".join(html.unescape(_TAG.sub(" ", markup)).split())
    text = re.sub(r" ([,.;:)])", r"\1", text)  # "<i>x</i>." leaves "x ."
    return text or None


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        return next((plain_text(v) for v in values if isinstance(v, str) and v.strip()), None)
    return plain_text(values) if isinstance(values, str) else None


def _year(work: dict[str, Any]) -> int | None:
    # "issued" is the earliest of the print and online dates; partial dates come as [[null]]
    for key in ("issued", "published", "published-print", "published-online"):
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        first = parts[0] if parts and isinstance(parts[0], list) else [None]
        year = first[0] if first else None
        if isinstance(year, int) and 1500 <= year <= 2200:
            return year
        if isinstance(year, str) and year.isdigit():
            return int(year)
    return None


def initials(given: str) -> str:
    return "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part and part[0].isalpha())


def _authors(work: dict[str, Any]) -> tuple[str, ...]:
    names = []
    for author in work.get("author") or []:
        if not isinstance(author, dict):
            continue
        family = (author.get("family") or "").strip()
        given = (author.get("given") or "").strip()
        name = " ".join(p for p in (family, initials(given)) if p) or (author.get("name") or "")
        if name.strip():
            names.append(name.strip())
    return tuple(names)


def _notices(work: dict[str, Any]) -> tuple[Notice, ...]:
    found = []
    for update in work.get("updated-by") or []:
        if not isinstance(update, dict):
            continue
        kind = str(update.get("type") or "").strip().lower().replace("-", "_")
        if kind not in UPDATE_TYPES:
            continue
        source = str(update.get("source") or "").strip()
        detail = f"{kind} ({source})" if source else kind
        doi = update.get("DOI")
        found.append(Notice(UPDATE_TYPES[kind], "crossref", detail, doi.lower() if doi else None))
    return tuple(found)


def read_work(work: Any, *, record: str | None = None) -> PaperMetadata:
    """One Crossref work object (the ``message`` of ``/works/{doi}``, an item of a list)."""
    if not isinstance(work, dict) or not isinstance(work.get("DOI"), str):
        raise InvalidRecord(_LABEL, record, "a work without a DOI")
    try:
        doi = normalize_doi(work["DOI"])
    except InvalidIdentifier as exc:
        raise InvalidRecord(_LABEL, record, f"work with an unusable DOI: {exc}") from exc
    return PaperMetadata(
        service="crossref",
        doi=doi,
        title=_first(work.get("title")),
        authors=_authors(work),
        journal=_first(work.get("container-title")),
        year=_year(work),
        abstract=plain_text(work.get("abstract")),
        notices=_notices(work),
    )


def _message(body: Any, expected: str) -> Any:
    if not isinstance(body, dict) or body.get("status") != "ok":
        raise InvalidRecord(_LABEL, None, f"not a successful Crossref {expected} response")
    if body.get("message-type") != expected:
        raise InvalidRecord(
            _LABEL, None, f"message-type {body.get('message-type')!r}, expected {expected!r}"
        )
    return body.get("message")


def read_work_response(body: Any) -> PaperMetadata:
    """The answer of ``/works/{doi}``."""
    return read_work(_message(body, "work"))


def read_work_list(body: Any) -> list[PaperMetadata]:
    """The answer of ``/works?filter=doi:...``: the works found (unknown DOIs are absent)."""
    message = _message(body, "work-list")
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise InvalidRecord(_LABEL, None, "a work list without items")
    return [read_work(item, record=f"#{i}") for i, item in enumerate(items, 1)]


def validation_failure(body: Any) -> str | None:
    """The reasons of a Crossref ``validation-failure`` answer (HTTP 400), if it is one."""
    if not isinstance(body, dict) or body.get("message-type") != "validation-failure":
        return None
    reasons = body.get("message")
    if isinstance(reasons, list):
        texts = [
            str(r.get("message") or r.get("type") or r) if isinstance(r, dict) else str(r)
            for r in reasons
        ]
        return "; ".join(texts) or "validation failure"
    return str(reasons or "validation failure")
