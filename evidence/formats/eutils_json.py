"""E-utilities JSON: esearch results, and the error bodies NCBI sends instead of data."""

from __future__ import annotations

import json
from typing import Any

from evidence.domain.identifiers import normalize_pmid
from evidence.errors import InvalidIdentifier, InvalidRecord

_LABEL = "PubMed esearch response"


def rate_limit_error(body: bytes) -> str | None:
    """NCBI's ``{"error":"API rate limit exceeded", ...}``, which may come with status 200."""
    head = body.lstrip()[:1]
    if head != b"{":
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str) and "rate limit" in error.lower():
        return error
    return None


def read_esearch(body: Any) -> list[str]:
    """The PMIDs an esearch (``retmode=json``) found, in the order given."""
    result = body.get("esearchresult") if isinstance(body, dict) else None
    if not isinstance(result, dict):
        raise InvalidRecord(_LABEL, None, "no esearchresult")
    if "ERROR" in result:
        raise InvalidRecord(_LABEL, None, f"PubMed refused the search: {result['ERROR']}")
    ids = result.get("idlist")
    if not isinstance(ids, list):
        raise InvalidRecord(_LABEL, None, "no idlist")
    pmids = []
    for value in ids:
        try:
            pmids.append(normalize_pmid(str(value)))
        except InvalidIdentifier as exc:
            raise InvalidRecord(_LABEL, None, f"not a PMID in idlist: {value!r}") from exc
    return pmids
