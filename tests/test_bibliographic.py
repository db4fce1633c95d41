"""The fields a bibliographic file's record and a service's answer share, named once."""

from __future__ import annotations

from dataclasses import fields

from evidence.domain.metadata import (
    IDENTIFIERS,
    LIST_FIELDS,
    TEXT_FIELDS,
    Bibliographic,
    Notice,
    PaperMetadata,
)
from evidence.domain.vocab import Retraction
from evidence.formats.citations import FIELDS, Citation


def test_every_shared_field_is_of_one_kind() -> None:
    kinds = (*IDENTIFIERS, *TEXT_FIELDS, *LIST_FIELDS, "notices")
    assert sorted(kinds) == sorted(f.name for f in fields(Bibliographic))


def test_a_files_fields_are_the_shared_ones_and_its_keywords() -> None:
    place = {"position", "line", "label"}
    given = {f.name for f in fields(Citation)} - place - {"notices"}
    assert sorted(FIELDS) == sorted(given)
    assert "keywords" not in {f.name for f in fields(PaperMetadata)}


def test_each_record_takes_its_own_field_first_and_shares_the_retraction() -> None:
    notice = Notice(Retraction.retracted, "pubmed", "RetractionIn", "PMID 90099001")
    cited = Citation(3, title="A trial", notices=(notice,))
    answer = PaperMetadata("pubmed", title="A trial", notices=(notice,))
    assert (cited.position, cited.where) == (3, "record 3")
    assert answer.service == "pubmed"
    assert cited.retraction is answer.retraction is Retraction.retracted
    assert PaperMetadata(service="crossref").retraction is None
