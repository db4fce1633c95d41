"""Optimistic locking: write a row only if it is still at the version that was read.

Claims, evidence links and overrides carry a ``version``. Every change is one conditional
statement (``... WHERE id = ? AND version = ?``); if another writer got there first it
matches no row, nothing is written, and the caller gets a :class:`ConflictError` naming
the record and both versions.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlmodel import Session, SQLModel

from evidence.errors import ConflictError
from evidence.store.tables import primary_key_of


def _refuse(session: Session, row: Any, kind: str, key: str, seen: int) -> None:
    model = type(row)
    id_column = primary_key_of(model)
    actual = session.scalar(select(model.version).where(id_column == _id(row)))
    raise ConflictError(kind, key, seen, actual)


def _id(row: SQLModel) -> Any:
    return getattr(row, primary_key_of(type(row)).key)


def update_if_unchanged(
    session: Session, row: Any, values: dict[str, Any], *, kind: str, key: str
) -> None:
    """Apply ``values`` to ``row`` and bump its version, unless it changed since it was read."""
    model, seen = type(row), row.version
    id_column = primary_key_of(model)
    result = session.execute(
        update(model)
        .where(id_column == _id(row), model.version == seen)
        .values(**values, version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    # an UPDATE's result is a CursorResult; sqlmodel's Session.execute only declares Result
    if cast(CursorResult, result).rowcount != 1:
        _refuse(session, row, kind, key, seen)
    session.refresh(row)


def delete_if_unchanged(session: Session, row: Any, *, kind: str, key: str) -> None:
    """Delete ``row``, unless it changed since it was read."""
    model, seen = type(row), row.version
    id_column = primary_key_of(model)
    result = session.execute(
        delete(model)
        .where(id_column == _id(row), model.version == seen)
        .execution_options(synchronize_session=False)
    )
    # a DELETE's result is a CursorResult; sqlmodel's Session.execute only declares Result
    if cast(CursorResult, result).rowcount != 1:
        _refuse(session, row, kind, key, seen)
    session.expunge(row)
