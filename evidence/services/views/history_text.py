"""One line of plain words for a history row: what changed, on which record, from what to what.

Shared by `evidence history` and the claim page's history, so both say the same thing.
"""

from __future__ import annotations

from typing import Any

from evidence.domain.record_names import noun

# fields short enough to show as "old → new" (longer ones are only named)
_SHOWN_VALUES = {
    "design",
    "suggested_design",
    "review_of",
    "retraction",
    "year",
    "stance",
    "verdict",
    "type",
    "role",
    "kind",
    "doi",
    "pmid",
    "pmcid",
    "hits",
}


def _short(text: object, limit: int = 60) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _value(value: object) -> str:
    if value is None or value == "" or value == []:
        return "none"
    return str(value).replace("_", " ")


def _changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    fields = [
        k
        for k in sorted(set(before) | set(after))
        if k != "version" and before.get(k) != after.get(k)
    ]
    if not fields:
        return "updated"
    parts = []
    for name in fields:
        label = name.replace("_", " ")
        if name in _SHOWN_VALUES:
            label += f" ({_value(before.get(name))} → {_value(after.get(name))})"
        parts.append(label)
    return "changed " + ", ".join(parts)


def describe_change(change: dict[str, Any]) -> str:
    before, after = change.get("before") or {}, change.get("after") or {}
    kind = noun(change["entity"])
    record = after or before
    detail = {
        "assertion": lambda: (
            f"quote from {record.get('source')}: \u201c{_short(record.get('quote', ''))}\u201d"
        ),
        "evidence": lambda: f"{record.get('reference')} ({_value(record.get('stance'))})",
        "override": lambda: _value(record.get("verdict")),
        "search": lambda: f"{record.get('database')}: {_short(record.get('query', ''))}",
        "reference": lambda: (
            change["key"]
            + (f" \u201c{_short(record['title'])}\u201d" if record.get("title") else "")
        ),
    }.get(change["entity"], lambda: change["key"])
    if change["action"] == "update":
        return f"{_changed(before, after)} of {kind} {detail()}"
    what = "removed" if change["action"] == "delete" else "added"
    return f"{what} {kind} {detail()}"
