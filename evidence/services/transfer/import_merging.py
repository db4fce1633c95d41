"""A duplicate merged into the paper it repeats: its empty fields filled, none overwritten.

A target is a stored paper (an ORM row) or a new one of this batch (a row dict, written
with one statement per batch); the helpers read and write either alike.
"""

from __future__ import annotations

from typing import Any

from evidence.domain.metadata import IDENTIFIERS, LIST_FIELDS, TEXT_FIELDS, Notice
from evidence.domain.models import Reference, paper_row
from evidence.domain.names import title_key
from evidence.domain.publication_types import gravest, suggest_design
from evidence.domain.vocab import Retraction
from evidence.formats.citations import Citation

LISTS = (*LIST_FIELDS, "keywords")  # a file's keywords too


def get_field(target: Reference | dict[str, Any], name: str) -> Any:
    return target.get(name) if isinstance(target, dict) else getattr(target, name)


def set_field(target: Reference | dict[str, Any], name: str, value: Any) -> None:
    if isinstance(target, dict):
        target[name] = value
    else:
        setattr(target, name, value)


def label_of(target: Reference | dict[str, Any]) -> str:
    if isinstance(target, dict):
        return f"{target['key']!r} (record {target['_position']} of this file)"
    return repr(target.key)


def clash(target: Reference | dict[str, Any], citation: Citation) -> str | None:
    """A sentence if the record names another paper than ``target`` by one identifier."""
    for name in IDENTIFIERS:
        mine, theirs = getattr(citation, name), get_field(target, name)
        if mine and theirs and mine != theirs:
            return f"its {name.upper()} is {mine}, the stored paper's is {theirs}"
    return None


def fill(target: Reference | dict[str, Any], citation: Citation) -> list[str]:
    """Fill ``target``'s empty fields from the record; returns the names of those filled."""
    filled = []
    for name in (*IDENTIFIERS, *TEXT_FIELDS):
        value = getattr(citation, name)
        if value is not None and get_field(target, name) in (None, ""):
            set_field(target, name, value)
            filled.append(name)
    for name in LISTS:
        value = getattr(citation, name)
        if value and not get_field(target, name):
            set_field(target, name, list(value))
            filled.append(name)
    if "publication_types" in filled and not get_field(target, "suggested_design"):
        design = suggest_design(citation.publication_types)
        if design is not None:
            set_field(target, "suggested_design", design.value)
            filled.append("suggested_design")
    if citation.notices:
        notices = list(get_field(target, "retraction_notices") or [])
        new = [n.to_dict() for n in citation.notices if n.to_dict() not in notices]
        if new:
            set_field(target, "retraction_notices", notices + new)
            stored = get_field(target, "retraction")
            status = gravest(
                ([Retraction(stored)] if stored else []) + [Notice.from_dict(n).status for n in new]
            )
            if status is not None and status.value != stored:
                set_field(target, "retraction", status.value)
                filled.append("retraction")
    if isinstance(target, dict):
        paper_row(target)
    return filled


def title_key_of(citation: Citation) -> str | None:
    return title_key(citation.title, citation.year, citation.authors)
