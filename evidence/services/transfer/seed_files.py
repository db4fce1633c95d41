"""Reading the seed files (`evidence-seed/1`): every record checked before anything is written.

Each problem is reported as :class:`InvalidRecord` naming the file, the record (position and
key) and what is wrong. Field types are checked, not coerced: a number where a statement
belongs, or a string where a list belongs, is an error rather than something stored wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, overload

import yaml

from evidence.domain.chains import find_path
from evidence.domain.identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from evidence.domain.quote_location import locate
from evidence.domain.vocab import (
    REVIEW_DESIGNS,
    ClaimType,
    Design,
    Relation,
    ReviewOf,
    SourceKind,
    Stance,
    parse,
)
from evidence.errors import EvidenceError, InvalidRecord
from evidence.formats.document_text import DocumentText, read_document
from evidence.services.records.claims import (
    check_claim_id,
    check_quote,
    check_statement,
    normalize_tags,
)
from evidence.services.records.evidence import judgements
from evidence.services.records.references import check_key, check_sample_size, check_year
from evidence.services.records.searches import check_search

FORMAT = "evidence-seed/1"
FILES = ("sources.yaml", "claims.yaml", "references.yaml", "evidence.yaml")


@dataclass
class SeedData:
    sources: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    claim_links: list[dict[str, Any]]
    searches: list[dict[str, Any]]
    references: list[dict[str, Any]]
    links: list[dict[str, Any]]


class _Bad(Exception):
    """A field problem inside one record; becomes InvalidRecord with the record's name."""


@overload
def _text(record: dict, field: str) -> str: ...
@overload
def _text(record: dict, field: str, *, required: bool) -> str | None: ...
def _text(record: dict, field: str, *, required: bool = True) -> str | None:
    value = record.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Bad(f"field {field!r} must be {'non-empty ' if required else ''}text, not {value!r}")
    return value


def _texts(record: dict, field: str) -> list[str]:
    value = record.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"field {field!r} must be a list of text, not {value!r}")
    return value


def _whole(record: dict, field: str) -> int | None:
    value = record.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"field {field!r} must be a whole number, not {value!r}")
    return value


def _records(record: dict, field: str) -> list[dict]:
    value = record.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Bad(f"field {field!r} must be a list of records")
    return value


def _source(s: dict, folder: Path) -> dict:
    return {
        "key": check_key("source key", _text(s, "key")),
        "title": _text(s, "title"),
        "kind": parse(SourceKind, _text(s, "kind"), field="source kind").value,
        "origin": _text(s, "origin", required=False),
        "url": _text(s, "url", required=False),
        "conflicts_of_interest": _text(s, "conflicts_of_interest", required=False),
        "credibility_notes": _text(s, "credibility_notes", required=False),
        "text": _document(s, folder),
    }


def _document(s: dict, folder: Path) -> DocumentText | None:
    """The source's text, from the file ``text_file`` names inside the seed folder."""
    name = _text(s, "text_file", required=False)
    if name is None:
        return None
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise _Bad(f"field 'text_file' must name a file inside {folder}, not {name!r}")
    if not path.is_file():
        raise _Bad(f"text_file {name!r}: no such file in {folder}")
    return read_document(path)


def _claim(c: dict) -> dict:
    return {
        "id": check_claim_id(_text(c, "id")),
        "statement": check_statement(_text(c, "statement")),
        "type": parse(ClaimType, _text(c, "type"), field="claim type").value,
        "tags": normalize_tags(_texts(c, "tags")),
        "assertions": [
            {"source": _text(a, "source"), "quote": check_quote(_text(a, "quote"))}
            for a in _records(c, "assertions")
        ],
    }


def _claim_link(link: dict) -> dict:
    return {
        "from": _text(link, "from"),
        "to": _text(link, "to"),
        "relation": parse(Relation, _text(link, "relation"), field="relation").value,
        "source": _text(link, "source", required=False),
    }


def _search(s: dict) -> dict:
    day = s.get("date")
    if day is not None and not isinstance(day, (str, date)):
        raise _Bad(f"field 'date' must be a date (YYYY-MM-DD), not {day!r}")
    database, query, hits, searched_on = check_search(
        database=_text(s, "database"),
        query=_text(s, "query"),
        hits=_whole(s, "hits"),
        searched_on=day,
    )
    return {
        "claim": _text(s, "claim"),
        "database": database,
        "query": query,
        "date": searched_on,
        "hits": hits,
        "notes": _text(s, "notes", required=False),
    }


def _identifier(r: dict, field: str, normalize: Callable[[str], str]) -> str | None:
    value = r.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Bad(f"field {field!r} must be an identifier, not {value!r}")
    return normalize(str(value))


def _reference(r: dict) -> dict:
    design = _text(r, "design", required=False)
    review_of = _text(r, "review_of", required=False)
    design_value = parse(Design, design, field="design") if design else None
    review_value = parse(ReviewOf, review_of, field="review_of") if review_of else None
    if review_value and design_value not in REVIEW_DESIGNS:
        raise _Bad("field 'review_of' is only for systematic reviews")
    year, size = _whole(r, "year"), _whole(r, "sample_size")
    return {
        "key": check_key("reference key", _text(r, "key")),
        "doi": _identifier(r, "doi", normalize_doi),
        "pmid": _identifier(r, "pmid", normalize_pmid),
        "pmcid": _identifier(r, "pmcid", normalize_pmcid),
        "title": _text(r, "title", required=False),
        "authors": _texts(r, "authors"),
        "journal": _text(r, "journal", required=False),
        "year": None if year is None else check_year(year),
        "design": design_value.value if design_value else None,
        "review_of": review_value.value if review_value else None,
        "sample_size": None if size is None else check_sample_size(size),
        "summary": _text(r, "summary", required=False),
        "notes": _text(r, "notes", required=False),
        "seen_at": _texts(r, "seen_at"),
    }


def _link(e: dict) -> dict:
    down, up = judgements(downgrades=_texts(e, "downgrades"), upgrades=_texts(e, "upgrades"))
    return {
        "claim": _text(e, "claim"),
        "reference": _text(e, "reference"),
        "stance": parse(Stance, _text(e, "stance"), field="stance").value,
        "downgrades": down,
        "upgrades": up,
        "rationale": " ".join(_text(e, "rationale").split()),
    }


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidRecord(str(path), None, "file not found") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidRecord(str(path), None, f"not readable YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidRecord(str(path), None, f"not a seed file (expected format: {FORMAT})")
    return data


def _checked(
    path: Path,
    data: dict,
    key: str,
    name: Callable[[int, dict], str],
    check: Callable[[dict], dict],
) -> list[dict[str, Any]]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidRecord(str(path), key, "expected a list of records")
    out = []
    for index, item in enumerate(items, start=1):
        try:
            out.append(check(item))
        except (EvidenceError, _Bad) as exc:
            raise InvalidRecord(str(path), name(index, item), str(exc)) from exc
    return out


def _by(field: str) -> Callable[[int, dict], str]:
    return lambda i, item: f"#{i} ({item.get(field, '?')})"


def read_seeds(folder: Path) -> SeedData:
    """Read and check every seed record; raise :class:`InvalidRecord` at the first bad one."""
    p = {name: folder / name for name in FILES}
    sources, claims = _load(p["sources.yaml"]), _load(p["claims.yaml"])
    refs, evidence = _load(p["references.yaml"]), _load(p["evidence.yaml"])
    data = SeedData(
        sources=_checked(
            p["sources.yaml"], sources, "sources", _by("key"), lambda s: _source(s, folder)
        ),
        claims=_checked(p["claims.yaml"], claims, "claims", _by("id"), _claim),
        claim_links=_checked(
            p["claims.yaml"], claims, "claim_links", lambda i, x: f"claim_links #{i}", _claim_link
        ),
        searches=_checked(
            p["claims.yaml"], claims, "searches", lambda i, x: f"searches #{i}", _search
        ),
        references=_checked(p["references.yaml"], refs, "references", _by("key"), _reference),
        links=_checked(
            p["evidence.yaml"],
            evidence,
            "links",
            lambda i, x: f"#{i} ({x.get('claim')} <- {x.get('reference')})",
            _link,
        ),
    )
    _check_cross_references(p, data)
    return data


def _check_cross_references(p: dict[str, Path], data: SeedData) -> None:
    def fail(file: str, record: str, problem: str) -> None:
        raise InvalidRecord(str(p[file]), record, problem)

    def unique(
        file: str,
        items: list[dict],
        key: Callable[[dict], object],
        what: str,
        name: Callable[[int, dict], str],
    ) -> set:
        seen: set = set()
        for i, item in enumerate(items, start=1):
            if key(item) in seen:
                fail(file, name(i, item), f"duplicate {what}")
            seen.add(key(item))
        return seen

    sources = unique("sources.yaml", data.sources, lambda s: s["key"], "key", _by("key"))
    claims = unique("claims.yaml", data.claims, lambda c: c["id"], "id", _by("id"))
    refs = unique("references.yaml", data.references, lambda r: r["key"], "key", _by("key"))
    for kind in ("doi", "pmid", "pmcid"):
        unique(
            "references.yaml",
            [r for r in data.references if r[kind]],
            itemgetter(kind),
            kind,
            _by("key"),
        )
    texts = {s["key"]: s["text"] for s in data.sources}
    for c in data.claims:
        for a in c["assertions"]:
            if a["source"] not in sources:
                fail("claims.yaml", c["id"], f"unknown source {a['source']!r}")
            text = texts[a["source"]]
            if text is not None and not locate(a["quote"], text.text).match.located:
                fail(
                    "claims.yaml",
                    c["id"],
                    f"the quote {a['quote']!r} is not in the text of source {a['source']!r}",
                )
    unique(
        "claims.yaml",
        data.claim_links,
        lambda x: (x["from"], x["to"], x["relation"]),
        "claim link",
        lambda i, x: f"claim_links #{i}",
    )
    leads_to: list[tuple[str, str]] = []
    for i, link in enumerate(data.claim_links, start=1):
        where = f"claim_links #{i}"
        for end in ("from", "to"):
            if link[end] not in claims:
                fail("claims.yaml", where, f"unknown claim {link[end]!r}")
        if link["source"] and link["source"] not in sources:
            fail("claims.yaml", where, f"unknown source {link['source']!r}")
        if link["from"] == link["to"]:
            fail("claims.yaml", where, "a claim cannot link to itself")
        if link["relation"] == Relation.leads_to.value:
            loop = find_path(leads_to, link["to"], link["from"])
            if loop:
                fail(
                    "claims.yaml",
                    where,
                    "leads_to chain loops back on itself: " + " → ".join([*loop, link["to"]]),
                )
            leads_to.append((link["from"], link["to"]))
    for i, s in enumerate(data.searches, start=1):
        if s["claim"] not in claims:
            fail("claims.yaml", f"searches #{i}", f"unknown claim {s['claim']!r}")
    name = lambda i, e: f"#{i} ({e['claim']} <- {e['reference']})"  # noqa: E731
    unique(
        "evidence.yaml",
        data.links,
        lambda e: (e["claim"], e["reference"]),
        "evidence link (the same paper is linked to the claim twice)",
        name,
    )
    for i, e in enumerate(data.links, start=1):
        if e["claim"] not in claims:
            fail("evidence.yaml", name(i, e), f"unknown claim {e['claim']!r}")
        if e["reference"] not in refs:
            fail("evidence.yaml", name(i, e), f"unknown reference {e['reference']!r}")
