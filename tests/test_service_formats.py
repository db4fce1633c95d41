"""Reading the services' answers: Crossref and OpenAlex JSON, esearch JSON, NCBI's errors.

The fixtures are rendered in the services' published formats by tests/support/fake_formats.py
(synthetic identifiers only); tests/test_fake_services.py keeps them in step with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.domain.vocab import Retraction
from evidence.errors import InvalidRecord
from evidence.formats import crossref_json, eutils_json, openalex_json

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


def test_crossref_work_list() -> None:
    plain, dateless, retracted = crossref_json.read_work_list(
        load("crossref_work_list_synthetic.json")
    )
    assert plain.doi == "10.5555/evid.p.10"  # registered in capitals, normalised
    assert plain.title.startswith("Calf stretching for Achilles tendinopathy")
    assert (plain.journal, plain.year) == ("Synthetic Pain Reports", 2017)
    assert plain.authors[:2] == ("Garrow A", "Vane C")
    assert plain.retraction is None and plain.service == "crossref"
    assert dateless.year == 2005  # issued is [[null]]: the online date stands in
    assert retracted.retraction is Retraction.retracted
    (notice,) = retracted.notices
    assert (notice.detail, notice.notice) == (
        "retraction (retraction-watch)",
        "10.5555/evid.notice.retraction.evid.d.1",
    )


def test_crossref_single_work_with_a_jats_abstract_and_a_concern() -> None:
    work = crossref_json.read_work_response(load("crossref_work_synthetic.json"))
    assert work.doi == "10.5555/evid.p.2"
    assert work.abstract.startswith("Background: Synthetic background. Methods:")
    assert "(p < 0.05)" in work.abstract and "<" not in work.abstract.replace("p < 0", "")
    assert work.retraction is Retraction.expression_of_concern


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("retraction", Retraction.retracted),
        ("withdrawal", Retraction.retracted),
        ("expression_of_concern", Retraction.expression_of_concern),
        ("correction", Retraction.corrected),
        ("erratum", Retraction.corrected),
        ("new_version", None),
    ],
)
def test_crossref_update_types(kind: str, status: Retraction | None) -> None:
    work = {"DOI": "10.5555/x", "updated-by": [{"type": kind, "source": "publisher"}]}
    assert crossref_json.read_work(work).retraction is status


def test_crossref_update_to_on_a_notice_says_nothing_of_the_notice_itself() -> None:
    notice = {"DOI": "10.5555/notice", "update-to": [{"type": "retraction", "DOI": "10.5555/x"}]}
    assert crossref_json.read_work(notice).retraction is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"status": "failed", "message-type": "validation-failure", "message": []}, "not a succ"),
        ({"status": "ok", "message-type": "work", "message": {}}, "message-type 'work'"),
        ({"status": "ok", "message-type": "work-list", "message": {}}, "without items"),
        (
            {"status": "ok", "message-type": "work-list", "message": {"items": [{"x": 1}]}},
            "record #1: a work without a DOI",
        ),
        ("[]", "not a successful"),
    ],
)
def test_crossref_answers_that_are_not_work_lists(body: object, problem: str) -> None:
    with pytest.raises(InvalidRecord, match=problem.replace("(", r"\(")):
        crossref_json.read_work_list(body)


def test_crossref_validation_failure_reasons() -> None:
    body = {
        "status": "failed",
        "message-type": "validation-failure",
        "message": [{"type": "invalid-doi", "value": "x", "message": "Invalid DOI x"}],
    }
    assert crossref_json.validation_failure(body) == "Invalid DOI x"
    assert crossref_json.validation_failure({"status": "ok"}) is None


def test_openalex_works() -> None:
    retracted, with_pmcid = openalex_json.read_work_list(load("openalex_works_synthetic.json"))
    assert (retracted.doi, retracted.pmid) == ("10.5555/evid.p.1", "90000001")
    assert retracted.retraction is Retraction.retracted
    assert retracted.authors[:2] == ("Pell G", "Jessop H")
    assert retracted.journal == "Synthetic Pain Reports" and retracted.year == 2003
    assert with_pmcid.pmcid == "PMC9000009" and with_pmcid.retraction is None
    assert with_pmcid.abstract.startswith("Synthetic background on")


def test_openalex_abstract_is_put_back_in_order() -> None:
    index = {"pain": [1, 4], "Heel": [0], "hurts;": [2], "so": [3]}
    assert openalex_json.abstract_from_inverted_index(index) == "Heel pain hurts; so pain"
    assert openalex_json.abstract_from_inverted_index(None) is None


def test_openalex_answer_without_results() -> None:
    with pytest.raises(InvalidRecord, match="no results"):
        openalex_json.read_work_list({"error": "Invalid query parameters error."})


def test_esearch_ids_and_refusals() -> None:
    assert eutils_json.read_esearch(load("esearch_synthetic.json")) == [
        "90000001",
        "90000009",
        "90000010",
    ]
    with pytest.raises(InvalidRecord, match="refused the search: Invalid query"):
        eutils_json.read_esearch({"esearchresult": {"ERROR": "Invalid query"}})
    with pytest.raises(InvalidRecord, match="not a PMID"):
        eutils_json.read_esearch({"esearchresult": {"idlist": ["x1"]}})


def test_ncbi_rate_limit_bodies_are_recognised() -> None:
    body = b'{"error":"API rate limit exceeded","api-key":"127.0.0.1","count":"4","limit":"3"}'
    assert eutils_json.rate_limit_error(body) == "API rate limit exceeded"
    assert eutils_json.rate_limit_error(b"<PubmedArticleSet/>") is None
    assert eutils_json.rate_limit_error(b'{"esearchresult": {}}') is None
