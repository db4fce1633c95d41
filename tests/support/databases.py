"""Fresh databases per test, copied from templates migrated (and seeded) once per session."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from evidence import paths
from evidence.services.transfer.seeding import load_seeds
from evidence.store.engine import Store
from evidence.store.migrate import upgrade

_counter = itertools.count()


def build(url: str, *, seeded: bool) -> None:
    store = Store.open(url, create=True)
    try:
        upgrade(store)
        if seeded:
            with store.transaction() as session:
                load_seeds(session, folder=paths.seeds_dir(), actor="seed-fixture")
    finally:
        store.close()


class SqliteFactory:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.templates: dict[bool, Path] = {}

    def new(self, *, seeded: bool, migrated: bool = True) -> str:
        target = self.folder / f"test-{next(_counter)}.db"
        if migrated:
            if seeded not in self.templates:
                template = self.folder / f"template-{'seeded' if seeded else 'empty'}.db"
                build(f"sqlite:///{template}", seeded=seeded)
                self.templates[seeded] = template
            shutil.copyfile(self.templates[seeded], target)
        else:
            sqlite3.connect(target).close()  # an existing file without our schema
        return f"sqlite:///{target}"


class PostgresFactory:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.templates: dict[bool, str] = {}

    def _admin(self, sql: str) -> None:
        url = make_url(self.admin_url)
        with psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database,
            autocommit=True,
        ) as conn:
            conn.execute(sql)

    def _url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def new(self, *, seeded: bool, migrated: bool = True) -> str:
        name = f"evidence_test_{next(_counter)}"
        if not migrated:
            self._admin(f'CREATE DATABASE "{name}"')
            return self._url(name)
        if seeded not in self.templates:
            template = f"evidence_template_{'seeded' if seeded else 'empty'}"
            self._admin(f'DROP DATABASE IF EXISTS "{template}"')
            self._admin(f'CREATE DATABASE "{template}"')
            build(self._url(template), seeded=seeded)
            self.templates[seeded] = template
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.templates[seeded]}"')
        return self._url(name)
