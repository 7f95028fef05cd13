"""Operators' commands: `flask --app wsgi harbor ...`."""

import getpass

import click
from flask.cli import AppGroup
from sqlalchemy import select

from forum.auth import find_user, new_recovery_codes
from forum.extensions import db
from forum.models import Board, Role, User

harbor_cli = AppGroup("harbor", help="Harbor's operator commands.")


@harbor_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the forum already has boards.")
def seed_demo_command(if_empty: bool) -> None:
    """Seed demo boards, members and topics."""
    from forum.demo import seed_demo

    if if_empty and db.session.scalar(select(Board.id).limit(1)):
        click.echo("The forum already has boards; no demo content added.")
        return
    seed_demo()
    click.echo("Demo boards and topics added.")


@harbor_cli.command("create-admin")
@click.argument("pseudonym")
@click.option("--password", envvar="HARBOR_ADMIN_PASSWORD", help="Asked for when not given.")
def create_admin_command(pseudonym: str, password: str | None) -> None:
    """Create an admin account, or make an existing member an admin."""
    user = find_user(pseudonym)
    if user is not None:
        user.role = Role.ADMIN
        db.session.commit()
        click.echo(f"{user.pseudonym} is now an admin.")
        return
    if not password:
        password = getpass.getpass("Password (10 characters or more): ")
    if len(password) < 10:
        raise click.ClickException("The password must be at least 10 characters.")
    user = User(pseudonym=pseudonym, pseudonym_key=pseudonym.casefold(), role=Role.ADMIN)
    user.set_password(password)
    codes = new_recovery_codes(user)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Admin {pseudonym} created. Recovery codes (shown once):")
    for code in codes:
        click.echo(f"  {code}")
