"""Local accounts for the dashboard: who may read, curate, or manage the accounts.

Passwords are hashed with Argon2id (argon2-cffi's defaults, the parameters RFC 9106
recommends); the hash is all that is stored, and neither it nor the password reaches the
history. Signing in with an unknown name costs the same as with a wrong password, so the
time taken does not tell which names exist.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func
from sqlmodel import Session, col, select

from evidence import clock
from evidence.domain.models import Account
from evidence.domain.vocab import Role, parse
from evidence.errors import AccountNotFound, AlreadyExists, InputError, InvalidValue
from evidence.store import history

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_HASHER = PasswordHasher()
# verified against when the name is unknown, so that costs the same as a wrong password
_DUMMY = _HASHER.hash("not a password anyone has")


@dataclass(frozen=True)
class SignedIn:
    username: str
    role: Role

    def may(self, needed: Role) -> bool:
        """Whether this account has ``needed`` or more (admin > curator > viewer)."""
        order = list(Role)
        return order.index(self.role) >= order.index(needed)


def check_username(username: str) -> str:
    name = (username or "").strip()
    if not _NAME.match(name):
        raise InvalidValue(
            "username",
            username,
            "1 to 100 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
        )
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD:
        raise InvalidValue("password", "(hidden)", f"{MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if not password.strip():
        raise InvalidValue("password", "(hidden)", "something other than spaces")
    return password


def _snapshot(account: Account) -> dict[str, str]:
    return {"username": account.username, "role": account.role}


def _record(
    session: Session,
    action: str,
    key: str,
    before: dict[str, str] | None,
    after: dict[str, str] | None,
    actor: str,
    reason: str | None = None,
) -> None:
    history.record(
        session,
        entity="account",
        key=key,
        claim_id=None,
        action=action,
        actor=actor,
        before=before,
        after=after,
        reason=reason,
    )


def get_account(session: Session, username: str) -> Account:
    found = session.scalar(select(Account).where(Account.username == username.strip()))
    if found is None:
        raise AccountNotFound(username, "see `evidence users list`")
    return found


def find_role(session: Session, username: str) -> Role | None:
    """The role of the account with this name, or None when there is no such account."""
    role = session.scalar(select(Account.role).where(Account.username == username.strip()))
    return None if role is None else Role(role)


def list_accounts(session: Session) -> list[Account]:
    return sorted(session.scalars(select(Account)), key=lambda a: a.username)


def add_account(
    session: Session, *, username: str, role: str, password: str, actor: str
) -> Account:
    name = check_username(username)
    chosen = parse(Role, role, field="role")
    check_password(password)
    if session.scalar(select(Account.id).where(Account.username == name)) is not None:
        raise AlreadyExists("account", name)
    now = clock.now()
    account = Account(
        username=name,
        role=chosen.value,
        password_hash=_HASHER.hash(password),
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    _record(session, "create", name, None, _snapshot(account), actor)
    return account


def _admins(session: Session) -> int:
    return (
        session.scalar(select(func.count(col(Account.id))).where(Account.role == Role.admin)) or 0
    )


def remove_account(session: Session, *, username: str, actor: str) -> None:
    account = get_account(session, username)
    if account.role == Role.admin and _admins(session) == 1:
        raise InputError(
            f"cannot remove {account.username!r}: the last admin (make another admin first)"
        )
    before = _snapshot(account)
    session.delete(account)
    _record(session, "delete", before["username"], before, None, actor)


def set_password(session: Session, *, username: str, password: str, actor: str) -> None:
    account = get_account(session, username)
    check_password(password)
    account.password_hash = _HASHER.hash(password)
    account.updated_at = clock.now()
    same = _snapshot(account)
    _record(session, "update", account.username, same, same, actor, "password changed")


def set_role(session: Session, *, username: str, role: str, actor: str) -> Account:
    account = get_account(session, username)
    chosen = parse(Role, role, field="role")
    if account.role == Role.admin and chosen is not Role.admin and _admins(session) == 1:
        raise InvalidValue("role", role, "admin for the last admin: make another admin first")
    before = _snapshot(account)
    account.role = chosen.value
    account.updated_at = clock.now()
    _record(session, "update", account.username, before, _snapshot(account), actor)
    return account


def password_fingerprint(session: Session, username: str) -> str | None:
    """A digest of the account's password hash, or None when there is no such account: a
    remembered sign-in carries it, so a new password or a removed account ends it."""
    stored = session.scalar(select(Account.password_hash).where(Account.username == username))
    return None if stored is None else hashlib.sha256(stored.encode()).hexdigest()[:32]


def authenticate(session: Session, *, username: str, password: str) -> SignedIn | None:
    """The account these credentials open, or None; the same work either way."""
    account = session.scalar(select(Account).where(Account.username == (username or "").strip()))
    stored = account.password_hash if account is not None else _DUMMY
    try:
        _HASHER.verify(stored, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if account is None:
        return None
    if _HASHER.check_needs_rehash(stored):  # stronger defaults since the hash was made
        account.password_hash = _HASHER.hash(password)
    return SignedIn(account.username, Role(account.role))
