"""DOI / PMID / PMCID parsing and normalisation.

Every identifier here is synthetic: DOIs under the test prefix 10.5555/, PMIDs and PMCIDs
above 90000000.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evidence.domain.identifiers import (
    Identifier,
    IdKind,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
    parse_identifier,
)
from evidence.errors import EvidenceError, InputError, InvalidIdentifier

DOI = Identifier(IdKind.doi, "10.5555/synthetic.2024.001")
PMID = Identifier(IdKind.pmid, "90000001")
PMCID = Identifier(IdKind.pmcid, "PMC90000001")

SAME_PAPER = {
    DOI: [
        "10.5555/synthetic.2024.001",
        "10.5555/SYNTHETIC.2024.001",
        "10.5555/Synthetic.2024.001",
        "  10.5555/synthetic.2024.001  ",
        "doi:10.5555/synthetic.2024.001",
        "DOI:10.5555/Synthetic.2024.001",
        "doi: 10.5555/synthetic.2024.001",
        "Doi : 10.5555/synthetic.2024.001",
        "https://doi.org/10.5555/synthetic.2024.001",
        "http://doi.org/10.5555/synthetic.2024.001",
        "https://dx.doi.org/10.5555/synthetic.2024.001",
        "http://dx.doi.org/10.5555/SYNTHETIC.2024.001",
        "https://www.doi.org/10.5555/synthetic.2024.001",
        "HTTPS://DOI.ORG/10.5555/SYNTHETIC.2024.001",
        "https://doi.org/10.5555%2Fsynthetic.2024.001",
        "https://doi.org/10.5555%2fsynthetic.2024.001",
        "http://dx.doi.org/10.5555%2FSynthetic.2024.001",
        "https://doi.org/10.5555/synthetic.2024.001?via=ihub",
        "doi.org/10.5555/synthetic.2024.001",
    ],
    PMID: [
        "90000001",
        " 90000001 ",
        "090000001",
        "PMID:90000001",
        "pmid:90000001",
        "PMID: 90000001",
        "PMID 90000001",
        "PMID:090000001",
        "https://pubmed.ncbi.nlm.nih.gov/90000001/",
        "https://pubmed.ncbi.nlm.nih.gov/90000001",
        "http://pubmed.ncbi.nlm.nih.gov/90000001/",
        "https://pubmed.ncbi.nlm.nih.gov/90000001/?dopt=Abstract",
        "https://pubmed.ncbi.nlm.nih.gov/090000001/",
        "https://www.ncbi.nlm.nih.gov/pubmed/90000001",
        "https://www.ncbi.nlm.nih.gov/pubmed/90000001/",
        "http://www.ncbi.nlm.nih.gov/pubmed/90000001",
    ],
    PMCID: [
        "PMC90000001",
        "pmc90000001",
        "Pmc90000001",
        "PMC090000001",
        "pmcid:PMC90000001",
        "PMCID: PMC90000001",
        "PMCID:pmc90000001",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC90000001/",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC90000001",
        "http://pmc.ncbi.nlm.nih.gov/articles/pmc90000001/",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC90000001/",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC90000001",
        "http://www.ncbi.nlm.nih.gov/pmc/articles/pmc90000001/",
    ],
}
CASES = [(text, ident) for ident, texts in SAME_PAPER.items() for text in texts]


@pytest.mark.parametrize(("text", "want"), CASES, ids=[c[0].strip() or "blank" for c in CASES])
def test_parse_identifier(text: str, want: Identifier) -> None:
    assert parse_identifier(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("10.5555/ABC", "10.5555/abc"),
        ("10.5555/a(b)c-D_E;F", "10.5555/a(b)c-d_e;f"),
        ("10.55551234/Xy.Z/1", "10.55551234/xy.z/1"),
    ],
)
def test_doi_is_lower_cased_and_keeps_its_suffix(text: str, want: str) -> None:
    assert parse_identifier(text) == Identifier(IdKind.doi, want)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("10.5555/XYZ", "10.5555/xyz"),
        ("doi:10.5555/XYZ", "10.5555/xyz"),
        ("https://doi.org/10.5555/XYZ", "10.5555/xyz"),
        ("https://dx.doi.org/10.5555%2FXYZ", "10.5555/xyz"),
    ],
)
def test_normalize_doi(text: str, want: str) -> None:
    assert normalize_doi(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("90000001", "90000001"),
        ("000000091", "91"),
        ("090000002", "90000002"),
        ("PMID:90000003", "90000003"),
        ("pmid = 90000004", "90000004"),
        ("999999999", "999999999"),
    ],
)
def test_normalize_pmid_drops_leading_zeros(text: str, want: str) -> None:
    assert normalize_pmid(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("PMC90000001", "PMC90000001"),
        ("pmc90000001", "PMC90000001"),
        ("PMC090000001", "PMC90000001"),
        ("pmcid:PMC90000002", "PMC90000002"),
    ],
)
def test_normalize_pmcid(text: str, want: str) -> None:
    assert normalize_pmcid(text) == want


@pytest.mark.parametrize(
    ("ident", "text", "url"),
    [
        (DOI, "doi:10.5555/synthetic.2024.001", "https://doi.org/10.5555/synthetic.2024.001"),
        (PMID, "pmid:90000001", "https://pubmed.ncbi.nlm.nih.gov/90000001/"),
        (PMCID, "pmcid:PMC90000001", "https://pmc.ncbi.nlm.nih.gov/articles/PMC90000001/"),
    ],
)
def test_identifier_str_and_url_round_trip(ident: Identifier, text: str, url: str) -> None:
    assert str(ident) == text
    assert ident.url == url
    assert parse_identifier(str(ident)) == ident
    assert parse_identifier(ident.url) == ident


def test_identifier_kind_tells_the_three_apart() -> None:
    kinds = {parse_identifier(t).kind for t in ("10.5555/a1", "90000009", "PMC90000009")}
    assert kinds == {IdKind.doi, IdKind.pmid, IdKind.pmcid}


def test_identifiers_are_hashable_and_ordered() -> None:
    parsed = {parse_identifier(text) for text, _ in CASES}
    assert parsed == {DOI, PMID, PMCID}
    assert sorted([PMID, DOI]) == [DOI, PMID]


BAD = [
    "",
    "   ",
    "10.12/x",
    "10.5555",
    "10.5555/",
    "10.5555/ spaced",
    "11.5555/x",
    "abc",
    "PMC",
    "PMC0",
    "PMCabc",
    "PMC-90000001",
    "0",
    "000",
    "1234567890",
    "90000001.5",
    "-90000001",
    "PMID:",
    "PMID:abc",
    "PMID:0",
    "PMID:1234567890",
    "doi:",
    "doi:abc",
    "doi:90000001",
    "pmcid:",
    "pmcid:90000001",
    "https://example.org/10.5555/x",
    "https://example.org/pubmed/90000001",
    "https://example.org/articles/PMC90000001/",
    "https://pubmed.ncbi.nlm.nih.gov/",
    "https://pubmed.ncbi.nlm.nih.gov/?term=foot",
    "https://www.ncbi.nlm.nih.gov/",
    "https://pmc.ncbi.nlm.nih.gov/articles/",
    "ftp://doi.org/10.5555/x",
    "mailto:someone@example.org",
]


@pytest.mark.parametrize("text", BAD, ids=[b.strip() or "blank" for b in BAD])
def test_bad_identifier_is_refused_naming_the_input(text: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_identifier(text)
    assert caught.value.value == text
    assert repr(text) in str(caught.value)
    assert caught.value.reason
    assert caught.value.reason in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "https://doi.org/10.12/x",
        "https://dx.doi.org/not-a-doi",
        "https://doi.org/",
        "https://pubmed.ncbi.nlm.nih.gov/1234567890/",
        "https://pubmed.ncbi.nlm.nih.gov/0/",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC0/",
    ],
)
def test_bad_url_on_a_known_host_is_refused_naming_the_url(text: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_identifier(text)
    # the curator must see what they pasted, not a fragment the parser cut out of it
    assert caught.value.value == text
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    ("func", "text"),
    [
        (normalize_doi, "10.12/x"),
        (normalize_doi, "abc"),
        (normalize_pmid, "0"),
        (normalize_pmid, "1234567890"),
        (normalize_pmid, "PMC90000001"),
        (normalize_pmcid, "PMC"),
        (normalize_pmcid, "PMC0"),
        (normalize_pmcid, "90000001"),
    ],
)
def test_normalizers_refuse_bad_input(func: Callable[[str], str], text: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        func(text)
    assert caught.value.value == text
    assert repr(text) in str(caught.value)


def test_invalid_identifier_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        parse_identifier("abc")
    assert isinstance(caught.value, EvidenceError)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pmc:PMC90000001", "pmcid:PMC90000001"),
        ("doi=10.5555/x", "doi:10.5555/x"),
        ("doi 10.5555/x", "doi:10.5555/x"),
        ("0090000001", "pmid:90000001"),  # zero-padded exports: the number names the paper
        ("doi.org/10.5555/X", "doi:10.5555/x"),  # a doi.org URL pasted without its scheme
        # a URL is decoded once; a bare DOI is taken as written
        ("https://doi.org/10.5555/a%2525b", "doi:10.5555/a%25b"),
        ("10.5555/a%2Fb", "doi:10.5555/a%2fb"),
    ],
)
def test_every_accepted_prefix_and_padding_reads_the_same_way(text: str, expected: str) -> None:
    assert str(parse_identifier(text)) == expected


def test_a_normaliser_names_the_kind_it_was_given_instead() -> None:
    with pytest.raises(InvalidIdentifier, match="this is a PMID, not a DOI"):
        normalize_doi("90000001")


@pytest.mark.parametrize("text", ["https://[10.5555/x", "http://[::1"])
def test_malformed_urls_are_refused_not_crashed_on(text: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_identifier(text)
    assert caught.value.value == text
