"""``dongtai users add NAME --role editor|admin`` and ``dongtai users list``.

The password is asked twice on a terminal (never echoed), or read as the first line of
stdin when stdin is not a terminal (for scripts). Hashing (argon2) is imported only
when a command runs."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dongtai.cli.app import app, say, settings
from dongtai.errors import InputError

users_app = typer.Typer(help="Accounts of the web app's editor's desk.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (no blanks).")],
    role: Annotated[str, typer.Option(help="editor or admin.")] = "editor",
) -> None:
    """Create a user (or set a new password and role for an existing one)."""
    from dongtai.newsroom.accounts import add_user
    from dongtai.store import open_store
    from dongtai.store.desk import Desk

    password = _password()
    add_user(Desk(open_store(settings().db_url)), name, role, password)
    say(f"user {name} ({role}) saved")


@users_app.command("list")
def list_users() -> None:
    """Users and their roles."""
    from dongtai.store import open_store
    from dongtai.store.desk import Desk

    for user in Desk(open_store(settings().db_url)).users():
        say(f"{user.name}\t{user.role}")


def _password() -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InputError("no password on stdin")
        return line
    first = typer.prompt("Password", hide_input=True)
    again = typer.prompt("Repeat the password", hide_input=True)
    if first != again:
        raise InputError("the two passwords differ")
    return str(first)
