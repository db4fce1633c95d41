"""Settings, read from ``EVIDENCE_*`` environment variables when first asked for.

Nothing is read at import time: tests and the CLI's global options override values with
:func:`configure`, and :func:`reset` forgets them. Every setting is listed in
:data:`ENVIRONMENT` (and in the README, which a test keeps in step).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs

ENVIRONMENT = {
    "EVIDENCE_DATABASE_URL": "Database URL: sqlite:///path/to/file.db or "
    "postgresql://user:password@host/dbname. Default: evidence.db in EVIDENCE_DATA_DIR.",
    "EVIDENCE_DATA_DIR": "Folder for the default SQLite database. Default: the user data "
    "directory (e.g. ~/.local/share/evidence).",
    "EVIDENCE_USER": "Name written to the history for changes. Default: the OS user. "
    "The CLI's --as option wins over it.",
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    user: str

    @property
    def uses_default_database(self) -> bool:
        return self.database_url == default_database_url(self.data_dir)


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'evidence.db'}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"


def from_environment(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get("EVIDENCE_DATA_DIR") or platformdirs.user_data_path("evidence"))
    return Settings(
        data_dir=data_dir,
        database_url=env.get("EVIDENCE_DATABASE_URL") or default_database_url(data_dir),
        user=(env.get("EVIDENCE_USER") or "").strip()[:200] or _os_user(),
    )


_current: Settings | None = None


def get() -> Settings:
    global _current
    if _current is None:
        _current = from_environment()
    return _current


def configure(**overrides: object) -> Settings:
    """Override some settings for the rest of the process (None values are ignored)."""
    global _current
    values = {k: v for k, v in overrides.items() if v is not None}
    _current = replace(from_environment() if _current is None else _current, **values)
    return _current


def reset() -> None:
    global _current
    _current = None
