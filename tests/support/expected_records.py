"""The readers' records side by side with tests/fixtures/imports/EXPECTED.json."""

from __future__ import annotations

from evidence.formats.citations import Citation, Record, split_name

FIELDS = ("position", "doi", "pmid", "pmcid", "title", "first_author_family", "year")


def summary(record: Record) -> dict[str, object]:
    """A record in EXPECTED.json's terms."""
    assert isinstance(record, Citation), record
    return {
        "position": record.position,
        "doi": record.doi,
        "pmid": record.pmid,
        "pmcid": record.pmcid,
        "title": record.title,
        "first_author_family": split_name(record.authors[0])[0] if record.authors else None,
        "year": record.year,
        "journal": record.journal,
        "keywords": list(record.keywords),
    }


def wanted(
    file: str,
    entry: dict[str, object],
    differences: dict[tuple[str, int, str], object],
) -> dict[str, object]:
    """What a reader must give for ``entry``, after the differences it knowingly has."""
    values = {key: entry[key] for key in (*FIELDS, "journal", "keywords")}
    for (name, position, key), value in differences.items():
        if name == file and position == entry["position"]:
            values[key] = value
    return values
