"""The Core table behind a SQLModel class, typed.

SQLModel sets ``__table__`` on table classes at runtime but does not declare
it, so a type checker sees ``Model.__table__`` as a missing attribute. Bulk
writes and column lookups go through :func:`table_of` instead.
"""

from __future__ import annotations

from sqlalchemy import Column, Table
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The ``Table`` SQLModel built for ``model`` (a ``table=True`` class)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


def primary_key_of(model: type[SQLModel]) -> Column:
    """The single primary-key column of ``model``'s table."""
    (column,) = table_of(model).primary_key.columns
    return column


def stored_id(row: SQLModel) -> int:
    """The id of a row read from the database. SQLModel types an id ``int | None`` (a new
    row has none until it is flushed); a stored one always has it."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise TypeError(f"{type(row).__name__} has no id yet: it is not stored")
    return value
