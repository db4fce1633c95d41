"""`evidence users`: local dashboard accounts with Argon2id-hashed passwords and roles, on
SQLite and PostgreSQL; the last admin cannot be removed; nothing secret reaches the history."""

from __future__ import annotations

import json

import pytest

from evidence.cli.app import app
from evidence.domain.models import Account
from evidence.domain.vocab import Role
from evidence.services.records.accounts import SignedIn, authenticate
from evidence.store.engine import Store
from tests.conftest import Cli
from tests.support.snapshot import rows

PASSWORD = "synthetic passphrase 1"


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url)


def add(cli: Cli, name: str, role: str = "viewer", password: str = PASSWORD):  # noqa: ANN201
    return cli.runner.invoke(
        app,
        ["users", "add", name, "--role", role, "--password-stdin"],
        input=password + "\n",
        env={"EVIDENCE_USER": "admin-tester", "EVIDENCE_DATABASE_URL": cli.url},
    )


def signed_in(url: str, name: str, password: str) -> SignedIn | None:
    store = Store.open(url)
    try:
        with store.transaction() as session:
            return authenticate(session, username=name, password=password)
    finally:
        store.close()


def test_an_account_signs_in_with_its_password_only(db_url: str, cli: Cli) -> None:
    result = add(cli, "ann", "curator")
    assert result.exit_code == 0, result.stderr
    assert signed_in(db_url, "ann", PASSWORD) == SignedIn("ann", Role.curator)
    assert signed_in(db_url, "ann", PASSWORD + "x") is None
    assert signed_in(db_url, "nobody", PASSWORD) is None
    assert signed_in(db_url, "ann", "") is None
    (stored,) = rows(db_url)["account"]
    assert PASSWORD not in str(stored) and "$argon2id$" in str(stored)


def test_the_role_orders_what_an_account_may_do() -> None:
    admin, curator, viewer = (SignedIn("x", r) for r in (Role.admin, Role.curator, Role.viewer))
    assert admin.may(Role.curator) and admin.may(Role.admin)
    assert curator.may(Role.curator) and not curator.may(Role.admin)
    assert viewer.may(Role.viewer) and not viewer.may(Role.curator)


def test_passwd_replaces_the_password(db_url: str, cli: Cli) -> None:
    add(cli, "ann")
    result = cli.runner.invoke(
        app,
        ["users", "passwd", "ann"],
        input="a brand new passphrase\na brand new passphrase\n",
        env={"EVIDENCE_DATABASE_URL": cli.url},
    )
    assert result.exit_code == 0, result.stderr
    assert signed_in(db_url, "ann", PASSWORD) is None
    assert signed_in(db_url, "ann", "a brand new passphrase") == SignedIn("ann", Role.viewer)


def test_list_and_history_hold_no_secret(db_url: str, cli: Cli) -> None:
    add(cli, "ann", "admin")
    add(cli, "bob", "curator")
    listed = json.loads(cli("users", "list", "--json").stdout)
    assert [(a["username"], a["role"]) for a in listed] == [("ann", "admin"), ("bob", "curator")]
    assert all(set(a) == {"username", "role", "created_at"} for a in listed)
    history = rows(db_url)["history"]
    assert len(history) == 2
    assert all("argon2" not in str(h) and PASSWORD not in str(h) for h in history)


@pytest.mark.parametrize(
    ("args", "password", "code", "message"),
    [
        (("bad name!",), PASSWORD, 2, "invalid username"),
        (("ann", "--role", "owner"), PASSWORD, 2, "invalid role 'owner'"),
        (("ann",), "short", 2, "expected 10 to 1024 characters"),
        (("ann",), " " * 12, 2, "something other than spaces"),
        (("ann",), "", 2, "--password-stdin read an empty line"),
    ],
)
def test_bad_input_adds_nothing(
    db_url: str, cli: Cli, args: tuple[str, ...], password: str, code: int, message: str
) -> None:
    result = cli.runner.invoke(
        app,
        ["users", "add", *args, "--password-stdin"],
        input=password + "\n",
        env={"EVIDENCE_DATABASE_URL": cli.url},
    )
    assert result.exit_code == code and message in result.stderr, result.stderr
    assert rows(db_url)["account"] == []
    if len(password.strip()) > 3:
        assert password not in result.stderr


def test_names_are_unique_and_unknown_names_are_named(cli: Cli) -> None:
    add(cli, "ann", "admin")
    again = add(cli, "ann")
    assert again.exit_code == 4 and "account 'ann' already exists" in again.stderr
    assert cli("users", "remove", "zed").exit_code == 3
    assert cli("users", "role", "zed", "admin").exit_code == 3


def test_the_last_admin_stays(db_url: str, cli: Cli) -> None:
    add(cli, "ann", "admin")
    removed = cli("users", "remove", "ann")
    assert removed.exit_code == 2 and "the last admin" in removed.stderr
    demoted = cli("users", "role", "ann", "viewer")
    assert demoted.exit_code == 2 and "the last admin" in demoted.stderr
    add(cli, "bob", "admin")
    assert cli("users", "role", "ann", "curator").exit_code == 0
    assert cli("users", "remove", "ann").exit_code == 0
    assert [a.username for a in _accounts(db_url)] == ["bob"]


def _accounts(url: str) -> list[Account]:
    return [
        Account(**dict(zip(["id", "username", "role"], r[:3], strict=True)))
        for r in rows(url)["account"]
    ]
