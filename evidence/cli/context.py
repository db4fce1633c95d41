"""What every command shares: the settings of this invocation and the store it opens lazily."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from evidence import settings
from evidence.settings import Settings
from evidence.store.engine import Store
from evidence.store.migrate import ensure_current


@dataclass
class AppContext:
    settings: Settings
    _store: Store | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        return self.settings.user

    def store(self, *, create: bool = False, check_schema: bool = True) -> Store:
        if self._store is None:
            if create and self.settings.uses_default_database:
                self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._store = Store.open(self.settings.database_url, create=create)
            if check_schema:
                ensure_current(self._store)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # a sub-app invoked on its own, as in some tests
        obj = AppContext(settings.get())
        ctx.find_root().obj = obj
    return obj
