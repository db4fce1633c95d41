"""OpenAlex ``/works`` responses read into :class:`PaperMetadata`.

OpenAlex gives identifiers as URLs (``https://doi.org/...``, ``https://pubmed.ncbi.nlm.nih.gov/
...``) and the abstract as an inverted index (word -> positions) that is put back in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from evidence.domain.identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from evidence.domain.metadata import Notice, PaperMetadata
from evidence.domain.vocab import Retraction
from evidence.errors import InvalidIdentifier, InvalidRecord
from evidence.formats.crossref_json import initials

_LABEL = "OpenAlex response"


def abstract_from_inverted_index(index: Any) -> str | None:
    """The abstract's text from ``{"word": [positions]}``."""
    if not isinstance(index, dict) or not index:
        return None
    placed: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions if isinstance(positions, list) else ():
            if isinstance(position, int):
                placed[position] = str(word)
    return " ".join(placed[p] for p in sorted(placed)) or None


def _id(value: Any, normalize: Callable[[str], str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if normalize is normalize_pmcid:  # OpenAlex writes PMC URLs with or without "PMC"
        text = re.sub(r"^.*/articles/(?:PMC)?(\d+)/?$", r"PMC\1", text, flags=re.IGNORECASE)
    try:
        return normalize(text)
    except InvalidIdentifier:
        return None


def _author(name: str) -> str:
    parts = name.split()
    if len(parts) < 2:
        return name.strip()
    return f"{parts[-1]} {initials(' '.join(parts[:-1]))}".strip()


def read_work(work: Any, *, record: str | None = None) -> PaperMetadata:
    if not isinstance(work, dict):
        raise InvalidRecord(_LABEL, record, "a work that is not a JSON object")
    ids: dict[str, Any] = work["ids"] if isinstance(work.get("ids"), dict) else {}
    doi = _id(work.get("doi") or ids.get("doi"), normalize_doi)
    if doi is None:
        raise InvalidRecord(_LABEL, record, "a work without a usable DOI")
    year = work.get("publication_year")
    source: dict[str, Any] = ((work.get("primary_location") or {}).get("source")) or {}
    authors = tuple(
        _author(a["author"]["display_name"])
        for a in work.get("authorships") or []
        if isinstance(a, dict)
        and isinstance(a.get("author"), dict)
        and isinstance(a["author"].get("display_name"), str)
    )
    notices = (
        (Notice(Retraction.retracted, "openalex", "is_retracted"),)
        if work.get("is_retracted") is True
        else ()
    )
    title = work.get("title") or work.get("display_name")
    return PaperMetadata(
        service="openalex",
        doi=doi,
        pmid=_id(ids.get("pmid"), normalize_pmid),
        pmcid=_id(ids.get("pmcid"), normalize_pmcid),
        title=" ".join(title.split()) if isinstance(title, str) and title.strip() else None,
        authors=authors,
        journal=source.get("display_name") if isinstance(source, dict) else None,
        year=year if isinstance(year, int) and 1500 <= year <= 2200 else None,
        abstract=abstract_from_inverted_index(work.get("abstract_inverted_index")),
        notices=notices,
    )


def read_work_list(body: Any) -> list[PaperMetadata]:
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise InvalidRecord(_LABEL, None, "not an OpenAlex list of works (no results)")
    return [read_work(work, record=f"#{i}") for i, work in enumerate(body["results"], 1)]
