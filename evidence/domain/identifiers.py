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
_PMCID = re.compile(r"^(?:pmc)?(\d+)$", re.IGNORECASE)
_DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org"}
_PUBMED_HOSTS = {"pubmed.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov"}
_PMC_HOSTS = {"pmc.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov", "europepmc.org"}
_PREFIX = re.compile(r"^(doi|pmid|pmcid|pmc)\s*[:=]?\s*", re.IGNORECASE)
_MAX_DIGITS = 9


MAX_DOI = 196  # "doi:" + DOI must fit a 200-character reference key


def _doi(value: str) -> str:
    value = value.strip().rstrip(".")
    if not _DOI.match(value):
        raise InvalidIdentifier(value, "a DOI is 10.<registrant>/<suffix>, e.g. 10.1000/xyz123")
    if len(value) > MAX_DOI:
        raise InvalidIdentifier(value, f"longer than {MAX_DOI} characters")
    return value.lower()


def _digits(value: str) -> str | None:
    # Exports sometimes pad identifiers with zeros; the number is what identifies the paper.
    if not value.isascii() or not value.isdigit():
        return None
    digits = value.lstrip("0")
    return digits if 0 < len(digits) <= _MAX_DIGITS else None


def _pmid(value: str) -> str:
    digits = _digits(value.strip())
    if digits is None:
        raise InvalidIdentifier(value, "a PMID is a positive whole number of at most 9 digits")
    return digits


def _pmcid(value: str, *, letters_required: bool = True) -> str:
    pattern = r"pmc(\d+)" if letters_required else r"(?:pmc)?(\d+)"
    match = re.fullmatch(pattern, value.strip(), re.IGNORECASE)
    digits = _digits(match.group(1)) if match else None
    if digits is None:
        raise InvalidIdentifier(value, "a PMCID is PMC followed by digits, e.g. PMC1234567")
    return f"PMC{digits}"


def _expect(text: str, kind: IdKind) -> str:
    ident = parse_identifier(text)
    if ident.kind is not kind:
        raise InvalidIdentifier(
            text, f"this is a {ident.kind.value.upper()}, not a {kind.value.upper()}"
        )
    return ident.value


# The fast paths below take the bare forms files carry by the million (PubMed baseline files)
# straight to the check for their kind; anything else goes the long way round.


def normalize_doi(text: str) -> str:
    """The normalised DOI in ``text`` (bare, ``doi:``-prefixed or a doi.org URL)."""
    if text.startswith("10.") and text == text.strip():
        return _doi(text)
    return _expect(text, IdKind.doi)


def normalize_pmid(text: str) -> str:
    """The normalised PMID in ``text`` (digits, ``PMID:``-prefixed or a PubMed URL)."""
    if text.isascii() and text.isdigit():
        return _pmid(text)
    return _expect(text, IdKind.pmid)


def normalize_pmcid(text: str) -> str:
    """The normalised PMCID in ``text`` (``PMC…``, ``pmcid:``-prefixed or a PMC URL)."""
    if text[:3].upper() == "PMC" and text[3:].isascii() and text[3:].isdigit():
        return _pmcid(text)
    return _expect(text, IdKind.pmcid)


def parse_identifier(text: str) -> Identifier:
    """Read one identifier; raise :class:`InvalidIdentifier` naming the text as given."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidIdentifier(text, "empty identifier")
    try:
        return _parse(raw)
    except InvalidIdentifier as exc:  # name what the curator pasted, not the part we cut out
        raise InvalidIdentifier(text, exc.reason) from exc


def _parse(raw: str) -> Identifier:
    if re.match(r"^(dx\.|www\.)?doi\.org/", raw, re.IGNORECASE):  # a URL pasted without https://
        raw = "https://" + raw
    if re.match(r"^https?://", raw, re.IGNORECASE):
        return _from_url(raw)
    prefix = _PREFIX.match(raw)
    if prefix:
        kind, rest = prefix.group(1).lower(), raw[prefix.end() :]
        if kind == "doi":
            return Identifier(IdKind.doi, _doi(rest))
        if kind == "pmid":
            return Identifier(IdKind.pmid, _pmid(rest))
        # "PMC123" reads as the prefix "PMC" + digits; after "pmcid:" the letters must follow
        return Identifier(IdKind.pmcid, _pmcid(rest, letters_required=kind == "pmcid"))
    if raw.startswith("10."):
        return Identifier(IdKind.doi, _doi(raw))
    if raw.isdigit():
        return Identifier(IdKind.pmid, _pmid(raw))
    raise InvalidIdentifier(
        raw, "not a DOI (10.x/y), PMID (digits), PMCID (PMCdigits) or doi.org / PubMed / PMC URL"
    )


def _from_url(url: str) -> Identifier:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise InvalidIdentifier(url, f"not a well-formed URL ({exc})") from exc
    path = unquote(parts.path)
    if host in _DOI_HOSTS:
        return Identifier(IdKind.doi, _doi(path.lstrip("/")))
    pmc = re.search(r"/(?:pmc/)?articles/(PMC\d+)", path, re.IGNORECASE)
    if host in _PMC_HOSTS and pmc:
        return Identifier(IdKind.pmcid, _pmcid(pmc.group(1)))
    pubmed = re.fullmatch(r"/(?:pubmed/)?(\d+)/?", path)
    if host in _PUBMED_HOSTS and pubmed:
        return Identifier(IdKind.pmid, _pmid(pubmed.group(1)))
    raise InvalidIdentifier(url, "only doi.org, PubMed and PMC article URLs name a paper")
