"""Shared fixtures: a real SQLite file and a real PostgreSQL server behind every store test.

``db_url`` runs a test once per backend. PostgreSQL is started by the fixtures (or taken from
EVIDENCE_TEST_POSTGRES_URL); without it the PostgreSQL half is skipped locally, but under
CI=true a missing server fails the run, so CI never passes on SQLite alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence import settings
from evidence.cli.app import app
from evidence.store.engine import Store
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.postgres import PostgresUnavailable, temporary_server

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test may touch the user's real database or depend on the caller's environment."""
    for name in list(os.environ):
        if name.startswith("EVIDENCE_") and name != "EVIDENCE_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("EVIDENCE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EVIDENCE_USER", "tester")
    settings.reset()
    yield
    settings.reset()


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_factory() -> Iterator[PostgresFactory]:
    given = os.environ.get("EVIDENCE_TEST_POSTGRES_URL")
    if given:
        yield PostgresFactory(given)
        return
    try:
        with temporary_server() as url:
            yield PostgresFactory(url)
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_db(backend: str, request: pytest.FixtureRequest) -> Callable[..., str]:
    """Make a fresh database on this test's backend: new_db(seeded=False, migrated=True)."""
    factory = request.getfixturevalue(
        "sqlite_factory" if backend == "sqlite" else "postgres_factory"
    )

    def make(*, seeded: bool = False, migrated: bool = True) -> str:
        return factory.new(seeded=seeded, migrated=migrated)

    return make


@pytest.fixture
def db_url(new_db: Callable[..., str]) -> str:
    """An empty, migrated database."""
    return new_db()


@pytest.fixture
def seeded_url(new_db: Callable[..., str]) -> str:
    """A migrated database holding the starter content."""
    return new_db(seeded=True)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def seeded_store(seeded_url: str) -> Iterator[Store]:
    s = Store.open(seeded_url)
    yield s
    s.close()


class Cli:
    """Runs `evidence` in-process against one database, as the given user."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, user: str = "tester", url: str | None = None):  # noqa: ANN204
        env = {"EVIDENCE_USER": user}
        target = url or self.url
        if target:
            env["EVIDENCE_DATABASE_URL"] = target
        return self.runner.invoke(app, list(args), env=env)


@pytest.fixture
def cli(seeded_url: str) -> Cli:
    return Cli(seeded_url)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201, ARG001
    """Keep each phase's report on the test, so a fixture can tell that its test failed."""
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
