"""Dashboard accounts: add, remove, passwd, role, list."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from evidence.cli.context import app_context
from evidence.cli.output import print_json, say
from evidence.domain.vocab import Role
from evidence.errors import MissingValue

users_app = typer.Typer(help="Dashboard accounts and their roles.", no_args_is_help=True)

ROLES = " | ".join(r.value for r in Role)
FromStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]


def _password(from_stdin: bool) -> str:
    """From stdin for scripts; otherwise asked twice, never echoed, never an argument (an
    argument would stay in the shell's history and in the process list)."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise MissingValue("password", "--password-stdin read an empty line")
        return line
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[str, typer.Option(help=f"{ROLES}.")] = "viewer",
    password_stdin: FromStdin = False,
) -> None:
    """Add an account (the password is asked for, or read with --password-stdin)."""
    from evidence.services.records.accounts import add_account, check_username

    check_username(username)
    password = _password(password_stdin)
    app = app_context(ctx)
    with app.store().transaction() as session:
        account = add_account(
            session, username=username, role=role, password=password, actor=app.actor
        )
    say(f"Added {account.username} ({account.role}).")


@users_app.command("remove")
def remove(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The account.")]
) -> None:
    """Remove an account (not the last admin)."""
    from evidence.services.records.accounts import remove_account

    app = app_context(ctx)
    with app.store().transaction() as session:
        remove_account(session, username=username, actor=app.actor)
    say(f"Removed {username.strip()}.")


@users_app.command("passwd")
def passwd(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account.")],
    password_stdin: FromStdin = False,
) -> None:
    """Set an account's password."""
    from evidence.services.records.accounts import get_account, set_password

    app = app_context(ctx)
    with app.store().reading() as session:
        get_account(session, username)  # an unknown name fails before the prompt
    password = _password(password_stdin)
    with app.store().transaction() as session:
        set_password(session, username=username, password=password, actor=app.actor)
    say(f"Password of {username.strip()} changed.")


@users_app.command("role")
def role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account.")],
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help=f"{ROLES}.")],
) -> None:
    """Change an account's role (the last admin stays an admin)."""
    from evidence.services.records.accounts import set_role

    app = app_context(ctx)
    with app.store().transaction() as session:
        account = set_role(session, username=username, role=new_role, actor=app.actor)
    say(f"{account.username} is now {account.role}.")


@users_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every account with its role (never a password or its hash)."""
    from evidence.clock import iso
    from evidence.services.records.accounts import list_accounts

    with app_context(ctx).store().reading() as session:
        rows = [
            {"username": a.username, "role": a.role, "created_at": iso(a.created_at)}
            for a in list_accounts(session)
        ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("No accounts yet: add one with `evidence users add NAME --role admin`.")
    for row in rows:
        say(f"{row['username']} ({row['role']})")
