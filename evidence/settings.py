"""Settings, read from ``EVIDENCE_*`` environment variables when first asked for.

Nothing is read at import time: tests and the CLI's global options override values with
:func:`configure`, and :func:`reset` forgets them. Every setting is listed in
:data:`ENVIRONMENT` (and in the README, which a test keeps in step).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

ENVIRONMENT = {
    "EVIDENCE_DATABASE_URL": "Database URL: sqlite:///path/to/file.db or "
    "postgresql://user:password@host/dbname. Default: evidence.db in EVIDENCE_DATA_DIR.",
    "EVIDENCE_DATA_DIR": "Folder for the default SQLite database. Default: the user data "
    "directory (e.g. ~/.local/share/evidence).",
    "EVIDENCE_USER": "Name written to the history for changes. Default: the OS user. "
    "The CLI's --as option wins over it.",
    "EVIDENCE_CONTACT_EMAIL": "Your e-mail, sent to PubMed (email=) and Crossref (mailto=, the "
    "polite pool) as their etiquette asks. Default: none.",
    "EVIDENCE_NCBI_API_KEY": "NCBI API key: PubMed allows 10 requests/s with it instead of 3.",
    "EVIDENCE_OPENALEX_API_KEY": "OpenAlex API key; when set, OpenAlex is asked too "
    "(retraction flags, PMIDs for DOI-only papers, abstracts).",
    "EVIDENCE_PUBMED_URL": "E-utilities base URL. Default: "
    "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
    "EVIDENCE_CROSSREF_URL": "Crossref REST API base URL. Default: https://api.crossref.org",
    "EVIDENCE_OPENALEX_URL": "OpenAlex API base URL. Default: https://api.openalex.org",
    "EVIDENCE_CACHE_DIR": "Folder of the metadata response cache. Default: cache/ in "
    "EVIDENCE_DATA_DIR.",
    "EVIDENCE_HTTP_TIMEOUT": "Seconds to wait for a metadata service before retrying. Default: 30.",
    "EVIDENCE_HTTP_RETRIES": "Retries of a request after a 429, a 5xx, a timeout or a broken "
    "answer (with exponential backoff that honours Retry-After). Default: 4.",
    "EVIDENCE_SIGN_IN_HOURS": "How long a dashboard sign-in lasts in its browser (a signed "
    "cookie; reloading the page keeps it). Default: 12.",
    "EVIDENCE_SIGN_IN_SECRET": "The key that signs those cookies; every dashboard serving one "
    "database behind one address needs the same. Default: one made at first use and kept in "
    "sign-in-secret in EVIDENCE_DATA_DIR.",
}

PUBMED_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
CROSSREF_URL = "https://api.crossref.org"
OPENALEX_URL = "https://api.openalex.org"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    user: str
    contact_email: str | None = None
    ncbi_api_key: str | None = None
    openalex_api_key: str | None = None
    pubmed_url: str = PUBMED_URL
    crossref_url: str = CROSSREF_URL
    openalex_url: str = OPENALEX_URL
    cache_dir: Path | None = None
    http_timeout: float = 30.0
    http_retries: int = 4
    sign_in_hours: float = 12.0
    sign_in_secret: str | None = None

    @property
    def metadata_cache_dir(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"

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

    def text(name: str) -> str | None:
        return (env.get(name) or "").strip() or None

    cache_dir = text("EVIDENCE_CACHE_DIR")
    return Settings(
        data_dir=data_dir,
        database_url=env.get("EVIDENCE_DATABASE_URL") or default_database_url(data_dir),
        user=(env.get("EVIDENCE_USER") or "").strip()[:200] or _os_user(),
        contact_email=text("EVIDENCE_CONTACT_EMAIL"),
        ncbi_api_key=text("EVIDENCE_NCBI_API_KEY"),
        openalex_api_key=text("EVIDENCE_OPENALEX_API_KEY"),
        pubmed_url=(text("EVIDENCE_PUBMED_URL") or PUBMED_URL).rstrip("/"),
        crossref_url=(text("EVIDENCE_CROSSREF_URL") or CROSSREF_URL).rstrip("/"),
        openalex_url=(text("EVIDENCE_OPENALEX_URL") or OPENALEX_URL).rstrip("/"),
        cache_dir=Path(cache_dir) if cache_dir else None,
        http_timeout=_number(env, "EVIDENCE_HTTP_TIMEOUT", 30.0, float, 0.1, 600),
        http_retries=int(_number(env, "EVIDENCE_HTTP_RETRIES", 4, int, 0, 10)),
        sign_in_hours=_number(env, "EVIDENCE_SIGN_IN_HOURS", 12.0, float, 0.01, 24 * 90),
        sign_in_secret=text("EVIDENCE_SIGN_IN_SECRET"),
    )


N = TypeVar("N", int, float)


def _number(
    env: Mapping[str, str], name: str, default: N, kind: Callable[[str], N], low: float, high: float
) -> N:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value: N | None = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        from evidence.errors import InvalidValue

        raise InvalidValue(name, raw, f"a number from {low:g} to {high:g}")
    return value


_current: Settings | None = None


def get() -> Settings:
    global _current
    if _current is None:
        _current = from_environment()
    return _current


def configure(**overrides: object) -> Settings:
    """Override some settings for the rest of the process (None values are ignored)."""
    global _current
    # each value is checked by the dataclass field it replaces, not here
    values: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    _current = replace(from_environment() if _current is None else _current, **values)
    return _current


def reset() -> None:
    global _current
    _current = None
