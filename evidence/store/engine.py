"""Opening the database: URL checks, SQLite pragmas, transactions that commit whole or not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlmodel import Session

from evidence.errors import DatabaseUnavailable, EvidenceError, InvalidValue, WriteConflict
from evidence.store import verdicts

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.pool import ConnectionPoolEntry

_SUPPORTED = ("sqlite", "postgresql")
# PostgreSQL's deadlock_detected and serialization_failure: a race with another writer,
# nothing wrong with the database; trying again is the remedy
_RACES = frozenset({"40P01", "40001"})


SQLITE_STATEMENTS = 32


def parse_url(url: str) -> URL:
    """Parse and check a database URL; PostgreSQL goes through psycopg 3."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUnavailable(
            url, "not a database URL (expected sqlite:///PATH or postgresql://USER@HOST/DBNAME)"
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in _SUPPORTED:
        raise DatabaseUnavailable(
            safe_url(url), f"unsupported database {backend!r} (use sqlite or postgresql)"
        )
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: str | URL) -> str:
    try:
        return (make_url(url) if isinstance(url, str) else url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return str(url)


def sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


class Store:
    """An open database: the engine plus the URL it came from."""

    def __init__(self, url: URL, engine: Engine, given: str | None = None) -> None:
        self.url = url
        self.engine = engine
        self.given = given or url.render_as_string(hide_password=False)

    @property
    def display_url(self) -> str:
        """The URL as the user gave it, password hidden."""
        return safe_url(self.given)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @classmethod
    def open(cls, url: str, *, create: bool = False) -> Store:
        """Open ``url``; a missing SQLite file is an error unless ``create`` (for `init`).

        Refusing to create files on ordinary commands keeps a typo in --db from leaving an
        empty database behind.
        """
        parsed = parse_url(url)
        path = sqlite_path(parsed)
        if path is not None:
            if not create and not path.exists():
                raise DatabaseUnavailable(
                    safe_url(parsed), f"no database file at {path}: run `evidence init` first"
                )
            if not path.parent.is_dir():
                raise DatabaseUnavailable(safe_url(parsed), f"folder {path.parent} does not exist")
        sqlite = parsed.get_backend_name() == "sqlite"
        try:
            engine = create_engine(
                parsed,
                pool_pre_ping=not sqlite,
                # Python's sqlite3 keeps the last 128 statements prepared. A batch's IN list
                # of 500 identifiers is a new statement of about 0.4 MB prepared each time
                # its length changes: 128 of them held 50 MB, so an import's memory grew
                # with the file until the cache was full. 32 keeps what repeats.
                **({"connect_args": {"cached_statements": SQLITE_STATEMENTS}} if sqlite else {}),
            )
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise DatabaseUnavailable(safe_url(parsed), str(exc)) from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(parsed, engine, given=url)
        store.ping()
        return store

    def ping(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            self.engine.dispose()
            raise DatabaseUnavailable(self.display_url, _first_line(exc.orig)) from exc

    @contextmanager
    def transaction(self, *, rehearse: bool = False) -> Iterator[Session]:
        """A session whose work commits at the end, or is rolled back whole on any error.

        ``rehearse`` rolls back even on success: a dry run does all the work, checks
        included, and leaves the database as it was.

        Errors the database raises itself are translated here, so a race the services'
        checks cannot see (two writers inserting the same key at once, a locked SQLite
        file, a value too long for a column) reaches the user as a message, not a traceback.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                # the verdicts the changes moved are written in the same transaction
                verdicts.apply_pending(session)
                if rehearse:
                    session.rollback()
                else:
                    session.commit()
            except BaseException as exc:
                session.rollback()
                translated = self._translate(exc)
                if translated is None:
                    raise
                raise translated from exc

    def _translate(self, exc: BaseException) -> EvidenceError | None:
        if isinstance(exc, IntegrityError):
            return WriteConflict(_first_line(exc.orig))
        if isinstance(exc, DataError):
            return InvalidValue("value", _first_line(exc.orig), "a value the database can store")
        if isinstance(exc, OperationalError):
            if getattr(exc.orig, "sqlstate", None) in _RACES:
                return WriteConflict(_first_line(exc.orig) + ": another writer got there first")
            return DatabaseUnavailable(self.display_url, _first_line(exc.orig))
        return None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads that all see one snapshot; anything written is rolled back.

        A page reads claims, then their links, then searches: without a snapshot a write
        committed in between would show half of itself.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            if self.dialect == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            else:
                # pysqlite opens transactions only for writes; a read transaction under WAL
                # is a snapshot
                session.connection().exec_driver_sql("BEGIN")
            try:
                yield session
            finally:
                session.rollback()

    def close(self) -> None:
        self.engine.dispose()


def _first_line(exc: BaseException | None) -> str:
    return (str(exc) or type(exc).__name__).strip().splitlines()[0] if exc else "unknown error"


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # WAL lets the dashboard read while the CLI writes; asking again when it is already on
    # writes nothing, so a failed command leaves the file byte-for-byte as it was.
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal" and dbapi_connection.execute("PRAGMA database_list").fetchone()[2]:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
