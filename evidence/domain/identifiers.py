"""Paper identifiers: DOI, PMID and PMCID, read from whatever a curator pastes.

Accepted: bare identifiers (``10.1000/xyz``, ``12345678``, ``PMC1234567``), prefixed ones
(``doi:``, ``PMID:``, ``pmcid:``) and the URLs people copy from doi.org, PubMed and PMC.
Normalised forms: DOIs lower-cased (DOIs are case-insensitive), PMIDs as digits without
leading zeros, PMCIDs as ``PMC`` + digits. The same paper reached two ways normalises to
the same value, which is what makes "one row per paper" enforceable by unique indexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from evidence.errors import InvalidIdentifier


class IdKind(StrEnum):
    doi = "doi"
    pmid = "pmid"
    pmcid = "pmcid"


@dataclass(frozen=True, order=True)
class Identifier:
    kind: IdKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"

    @property
    def url(self) -> str:
        if self.kind is IdKind.doi:
            return f"https://doi.org/{self.value}"
        if self.kind is IdKind.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.value}/"
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{self.value}/"


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^\d{1,9}$")
_PMCID = re.compile(r"^pmc(\d{1,9})$", re.IGNORECASE)
_DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org"}
_PUBMED_HOSTS = {"pubmed.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov"}
_PMC_HOSTS = {"pmc.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov", "europepmc.org"}
_PREFIX = re.compile(r"^(doi|pmid|pmcid|pmc)\s*[:=]?\s*", re.IGNORECASE)


def normalize_doi(text: str) -> str:
    value = unquote(text.strip()).strip()
    value = re.sub(r"^(https?://)?(dx\.|www\.)?doi\.org/", "", value, flags=re.IGNORECASE)
    value = re.sub(r"^doi\s*:\s*", "", value, flags=re.IGNORECASE).rstrip(".")
    if not _DOI.match(value):
        raise InvalidIdentifier(text, "a DOI is 10.<registrant>/<suffix>, e.g. 10.1000/xyz123")
    return value.lower()


def normalize_pmid(text: str) -> str:
    value = re.sub(r"^pmid\s*[:=]?\s*", "", text.strip(), flags=re.IGNORECASE)
    if not _PMID.match(value) or int(value) == 0:
        raise InvalidIdentifier(text, "a PMID is a positive whole number of at most 9 digits")
    return str(int(value))


def normalize_pmcid(text: str) -> str:
    value = re.sub(r"^pmcid\s*[:=]?\s*", "", text.strip(), flags=re.IGNORECASE)
    match = _PMCID.match(value)
    if not match or int(match.group(1)) == 0:
        raise InvalidIdentifier(text, "a PMCID is PMC followed by digits, e.g. PMC1234567")
    return f"PMC{int(match.group(1))}"


def parse_identifier(text: str) -> Identifier:
    """Read one identifier; raise :class:`InvalidIdentifier` saying what was expected."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidIdentifier(text, "empty identifier")
    if re.match(r"^https?://", raw, re.IGNORECASE):
        return _from_url(raw)
    prefix = _PREFIX.match(raw)
    if prefix:
        kind = prefix.group(1).lower()
        if kind == "doi":
            return Identifier(IdKind.doi, normalize_doi(raw))
        if kind == "pmid":
            return Identifier(IdKind.pmid, normalize_pmid(raw))
        return Identifier(IdKind.pmcid, normalize_pmcid(raw))
    if raw.startswith("10."):
        return Identifier(IdKind.doi, normalize_doi(raw))
    if raw.isdigit():
        return Identifier(IdKind.pmid, normalize_pmid(raw))
    raise InvalidIdentifier(
        text, "not a DOI (10.x/y), PMID (digits), PMCID (PMCdigits) or doi.org / PubMed / PMC URL"
    )


def _from_url(url: str) -> Identifier:
    try:
        return _read_url(url)
    except InvalidIdentifier as exc:  # name what the curator pasted, not the part we cut out
        raise InvalidIdentifier(url, exc.reason) from None


def _read_url(url: str) -> Identifier:
    parts = urlsplit(url)
    host = parts.hostname or ""
    path = unquote(parts.path)
    if host in _DOI_HOSTS:
        return Identifier(IdKind.doi, normalize_doi(path.lstrip("/")))
    pmc = re.search(r"/(?:pmc/)?articles/(PMC\d+)", path, re.IGNORECASE)
    if host in _PMC_HOSTS and pmc:
        return Identifier(IdKind.pmcid, normalize_pmcid(pmc.group(1)))
    pubmed = re.fullmatch(r"/(?:pubmed/)?(\d+)/?", path)
    if host in _PUBMED_HOSTS and pubmed:
        return Identifier(IdKind.pmid, normalize_pmid(pubmed.group(1)))
    raise InvalidIdentifier(url, "only doi.org, PubMed and PMC article URLs name a paper")
