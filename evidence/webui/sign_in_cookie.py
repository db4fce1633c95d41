"""A sign-in that survives a reload: a signed, expiring cookie naming the account.

Streamlit keeps a sign-in in the browser tab's session, which a reload or a full link ends.
The cookie holds the account's name and a digest of its password hash, signed and dated
with itsdangerous (as Starlette's own session cookies are), so it is refused once it is
older than EVIDENCE_SIGN_IN_HOURS, when the password has changed or the account is gone.
The role is still read from the database on every run. Streamlit gives a script its
cookies but no way to set one, so the browser sets and clears it from a script the page
sends once.
"""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path

from itsdangerous import BadData, URLSafeTimedSerializer

from evidence import settings

COOKIE = "evidence_sign_in"
SECRET_FILE = "sign-in-secret"


@lru_cache(maxsize=4)
def _secret(given: str | None, data_dir: Path) -> str:
    if given:
        return given
    path = data_dir / SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    made = secrets.token_hex(32)
    try:
        # created for this user alone; a second dashboard that raced us keeps the first key
        with path.open("x") as out:
            path.chmod(0o600)
            out.write(made)
        return made
    except FileExistsError:
        return path.read_text().strip()


def secret() -> str:
    current = settings.get()
    return _secret(current.sign_in_secret, current.data_dir)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret(), salt=COOKIE)


def token(username: str, fingerprint: str) -> str:
    return _signer().dumps([username, fingerprint])


def read(cookie: str | None) -> tuple[str, str] | None:
    """The (account, password digest) a cookie names, or None when it is not one this
    server signed, or is too old."""
    if not cookie:
        return None
    try:
        name, fingerprint = _signer().loads(cookie, max_age=_max_age())
    except (BadData, ValueError, TypeError):  # forged, expired, or not a pair
        return None
    if not isinstance(name, str) or not isinstance(fingerprint, str):
        return None
    return name, fingerprint


def _max_age() -> int:
    """How long a sign-in lasts, in whole seconds: the browser keeps the cookie and the
    server accepts its signature for the same time."""
    return int(settings.get().sign_in_hours * 3600)


def set_script(value: str) -> str:
    return _script(f"{COOKIE}={value}; Max-Age={_max_age()}")


def clear_script() -> str:
    return _script(f"{COOKIE}=; Max-Age=0")


def _script(cookie: str) -> str:
    # SameSite=Strict: no other site's page can send it along; Secure over https
    return (
        "<script>document.cookie = "
        + json.dumps(cookie + "; Path=/; SameSite=Strict")
        + ' + (location.protocol === "https:" ? "; Secure" : "");</script>'
    )
