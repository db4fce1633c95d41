"""Look papers up in PubMed, Crossref and OpenAlex without storing anything."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evidence.errors import InvalidIdentifier, PapersUnresolved, ReferenceNotFound
from evidence.remote.resolver import (
    ERROR,
    INVALID,
    NOT_FOUND,
    Progress,
    Query,
    Report,
    Resolution,
    resolve,
)
from evidence.settings import Settings


def lookup(
    identifiers: Sequence[str],
    settings: Settings,
    *,
    offline: bool = False,
    refresh: bool = False,
    progress: Progress | None = None,
) -> Report:
    """One resolution per input, in order; an invalid input is reported, not raised."""
    return resolve(
        [Query.parse(text) for text in identifiers],
        settings,
        offline=offline,
        refresh=refresh,
        progress=progress,
    )


def lookup_row(resolution: Resolution) -> dict[str, Any]:
    """The JSON object `evidence lookup --json` prints for one input."""
    meta = resolution.metadata
    q = resolution.query
    design = meta.suggested_design if meta else None
    retraction = meta.retraction if meta else None
    return {
        "input": q.input,
        "status": resolution.status,
        "pmid": meta.pmid if meta else q.pmid,
        "doi": meta.doi if meta else q.doi,
        "pmcid": meta.pmcid if meta else q.pmcid,
        "title": meta.title if meta else None,
        "journal": meta.journal if meta else None,
        "year": meta.year if meta else None,
        "authors": list(meta.authors) if meta else [],
        "publication_types": list(meta.publication_types) if meta else [],
        "design": design.value if design else None,
        "retraction": retraction.value if retraction else None,
        "notices": [n.to_dict() for n in meta.notices] if meta else [],
        "abstract": meta.abstract if meta else None,
        "sources": list(meta.services) if meta else [],
        "error": resolution.error,
    }


def raise_for_outcome(resolutions: Sequence[Resolution]) -> None:
    """Exit non-zero when an input was not a paper: invalid 2, not found 3, failed 7."""
    statuses = [r.status for r in resolutions]
    bad = [r for r in resolutions if r.status == INVALID]
    if bad:
        raise InvalidIdentifier(bad[0].query.input, bad[0].error or "not an identifier")
    if ERROR in statuses:
        failed = [r for r in resolutions if r.status == ERROR]
        raise PapersUnresolved(len(failed), len(resolutions), failed[0].error or "")
    if NOT_FOUND in statuses:
        missing = [r.query.input for r in resolutions if r.status == NOT_FOUND]
        raise ReferenceNotFound(
            missing[0],
            "no service knows this paper"
            if len(missing) == 1
            else f"no service knows it, nor {len(missing) - 1} other input(s)",
        )
