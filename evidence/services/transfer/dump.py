"""The whole ledger as one JSON document, and back into an empty database.

Every table of the ledger, every row, every column, ids and timestamps included: a restored
database is the same database, so its own dump is the same bytes. The document is written
a row at a time (one row per line, keys sorted, tables in the order their foreign keys
need), which keeps memory flat and makes two dumps easy to diff. The schema revision goes
in the header: a dump is restored only by an evidence whose schema is the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Integer, Table, func, select, text
from sqlalchemy.types import Boolean, String, Text
from sqlmodel import Session

from evidence import clock
from evidence.domain.models import is_derived, metadata
from evidence.domain.record_names import count_of
from evidence.errors import InvalidRecord
from evidence.store import verdicts
from evidence.store.migrate import head_revision

FORMAT = "evidence-dump"
VERSION = 1
_BATCH = 1000


def tables() -> list[Table]:
    """The tables a dump holds: what people recorded, not what the grading derived."""
    return [t for t in metadata.sorted_tables if not is_derived(t)]


def _columns(table: Table) -> list[Any]:
    return [c for c in table.columns if not is_derived(c)]


def _order(table: Table) -> list[Any]:
    return list(table.primary_key.columns)


def _out(column: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return clock.iso(value)
    if isinstance(column.type, Date):
        return value.isoformat()
    return value


def write_dump(session: Session) -> Iterator[str]:
    """The dump, in chunks of text."""
    header = {"format": FORMAT, "version": VERSION, "schema": head_revision()}
    yield "{\n"
    for key, value in header.items():
        yield f"  {json.dumps(key)}: {json.dumps(value)},\n"
    yield '  "tables": {'
    for t, table in enumerate(tables()):
        yield ("," if t else "") + f"\n    {json.dumps(table.name)}: ["
        columns = _columns(table)
        query = select(*columns).order_by(*_order(table))
        first = True
        for row in session.execute(query.execution_options(yield_per=_BATCH)):
            values = {c.name: _out(c, v) for c, v in zip(columns, row, strict=True)}
            line = json.dumps(values, sort_keys=True, ensure_ascii=False)
            yield ("" if first else ",") + "\n      " + line
            first = False
        yield "\n    ]" if not first else "]"
    yield "\n  }\n}\n"


def _in(table: str, column: Any, value: Any, where: str, name: str) -> Any:
    """A dumped value as the column takes it; a wrong one names the row and column."""
    if value is None:
        if not column.nullable and column.server_default is None and not column.primary_key:
            raise InvalidRecord(name, where, f"{table}.{column.name} may not be null")
        return None
    kind = column.type

    def bad(expected: str) -> InvalidRecord:
        return InvalidRecord(name, where, f"{table}.{column.name} is {value!r}, not {expected}")

    if isinstance(kind, DateTime):
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as exc:
            raise bad("an ISO date and time") from exc
    if isinstance(kind, Date):
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise bad("an ISO date") from exc
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise bad("true or false")
    elif isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("a whole number")
    elif isinstance(kind, (String, Text)) and not isinstance(kind, JSON):
        if not isinstance(value, str):
            raise bad("text")
        if "\x00" in value:  # PostgreSQL stores no NUL; SQLite would, and then not move
            raise bad("text without NUL characters")
        if kind.length and len(value) > kind.length:
            raise bad(f"text of at most {kind.length} characters")
    return value


def read_dump(data: bytes, name: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of a dump, checked against this evidence's schema, by table."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidRecord(name, None, f"not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            name, None, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidRecord(name, None, 'not an evidence dump (no "format": "evidence-dump")')
    if document.get("version") != VERSION:
        raise InvalidRecord(
            name, None, f"dump format version {document.get('version')!r}; this reads {VERSION}"
        )
    head = head_revision()
    if document.get("schema") != head:
        raise InvalidRecord(
            name,
            None,
            f"written at schema {document.get('schema')!r}, this evidence is at {head!r}: "
            "restore it with the evidence version that wrote it, then upgrade that database",
        )
    dumped = document.get("tables")
    if not isinstance(dumped, dict):
        raise InvalidRecord(name, None, 'no "tables" object')
    known = {t.name: t for t in tables()}
    unknown = sorted(set(dumped) - set(known))
    if unknown:
        raise InvalidRecord(name, None, "unknown table(s): " + ", ".join(unknown))
    checked: dict[str, list[dict[str, Any]]] = {}
    for table in tables():
        rows = dumped.get(table.name, [])
        if not isinstance(rows, list):
            raise InvalidRecord(name, table.name, "expected a list of rows")
        columns = {c.name: c for c in _columns(table)}
        keys = [c.name for c in table.primary_key.columns]
        seen: set[tuple[Any, ...]] = set()
        out = []
        for number, row in enumerate(rows, 1):
            where = f"{table.name} #{number}"
            if not isinstance(row, dict):
                raise InvalidRecord(name, where, "a row is a JSON object")
            extra = sorted(set(row) - set(columns))
            if extra:
                raise InvalidRecord(name, where, "unknown column(s): " + ", ".join(extra))
            missing = [c for c in columns if c not in row]
            if missing:
                raise InvalidRecord(name, where, "missing column(s): " + ", ".join(missing))
            out.append({c: _in(table.name, columns[c], row[c], where, name) for c in columns})
            key = tuple(row[k] for k in keys)
            if key in seen:
                raise InvalidRecord(
                    name, where, f"repeats the primary key {', '.join(map(str, key))}"
                )
            seen.add(key)
        checked[table.name] = out
    _check_references(checked, name)
    return checked


def _check_references(checked: dict[str, list[dict[str, Any]]], name: str) -> None:
    """Every foreign key points at a row of the dump: the database would refuse it anyway,
    but only with a message that names neither the row nor the value."""
    present: dict[tuple[str, str], set[Any]] = {}
    for table in tables():
        for fk in table.foreign_keys:
            target = (fk.column.table.name, fk.column.name)
            if target not in present:
                present[target] = {row[target[1]] for row in checked[target[0]]}
            for number, row in enumerate(checked[table.name], 1):
                value = row[fk.parent.name]
                if value is not None and value not in present[target]:
                    raise InvalidRecord(
                        name,
                        f"{table.name} #{number}",
                        f"{table.name}.{fk.parent.name} is {value!r}, which is no "
                        f"{target[0]}.{target[1]} in the dump",
                    )


def stored_rows(session: Session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) or 0 for t in tables()}


def restore(
    session: Session, rows: dict[str, list[dict[str, Any]]], *, name: str
) -> dict[str, int]:
    """Load the rows of a dump (from :func:`read_dump`) into this empty database; returns the
    rows written per table."""
    present = {t: n for t, n in stored_rows(session).items() if n}
    if present:
        held = ", ".join(count_of(t, n) for t, n in present.items())
        raise InvalidRecord(name, None, f"restore needs an empty database; this one holds {held}")
    verdicts.mark_everything(session)  # the dump holds no verdicts: they are graded here
    for table in tables():
        batch = rows[table.name]
        for start in range(0, len(batch), _BATCH):
            session.execute(table.insert(), batch[start : start + _BATCH])
    if session.get_bind().dialect.name == "postgresql":
        _advance_sequences(session)
    return {t: len(r) for t, r in rows.items()}


def _advance_sequences(session: Session) -> None:
    """Rows came with their ids; the next id PostgreSQL hands out must follow them."""
    for table in tables():
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                session.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, '
                        "false)"
                    ),
                    {"t": table.name, "c": column.name},
                )
