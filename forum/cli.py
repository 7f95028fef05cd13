"""Operators' commands: `flask --app wsgi harbor ...`."""

import getpass
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from forum.data.models import Board, Post, PostStatus, Role, User
from forum.data.posting import PostingError
from forum.data.search_index import rebuild_search_index
from forum.demo import seed_demo
from forum.extensions import db
from forum.fellowship.checkin import open_thread
from forum.flow.calibration import suggest_thresholds
from forum.flow.runtime import run_worker, scoring_service
from forum.flow.scoring import count, rescore
from forum.pages.auth import find_user, new_recovery_codes
from moderation.crisis import CrisisDetector, evaluate_crisis
from moderation.evaluation import read_labelled_csv
from moderation.policy import evaluate_moderation, thresholds_from_config
from moderation.scoring import ScoringService

harbor_cli = AppGroup("harbor", help="Harbor's operator commands.")


@harbor_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the forum already has boards.")
def seed_demo_command(if_empty: bool) -> None:
    """Seed demo boards, members and topics."""

    if if_empty and db.session.scalar(select(Board.id).limit(1)):
        click.echo("The forum already has boards; no demo content added.")
        return
    seed_demo()
    click.echo("Demo boards and topics added.")


@harbor_cli.command("open-checkin")
def open_checkin_command() -> None:
    """Open today's "Just for today" thread if nobody has yet (safe to run from cron)."""

    try:
        topic = open_thread()
    except PostingError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Today's thread: {topic.title} (/t/{topic.id})")


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


@harbor_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back the whole forum up to PATH, while it serves (SQLite online backup, or pg_dump)."""
    from forum.backups import BackupError, backup

    try:
        backup(db.engine.url, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {path} ({path.stat().st_size:,} bytes). Keep it private.")


@harbor_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking first.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace everything in the database with the backup at PATH (stop the web first)."""
    from forum.backups import BackupError, restore

    if not yes:
        click.confirm(
            "This replaces every post, member and setting with the backup's. Go on?", abort=True
        )
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()  # this process holds no connection, nor a lock, while it restores
    try:
        restore(url, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Restored from {path}. If the backup is from an older release, run "
        "`flask --app wsgi db upgrade` before serving."
    )


@harbor_cli.command("search-reindex")
def search_reindex_command() -> None:
    """Rebuild the search index from the published posts (after restoring a backup, say)."""

    rebuild_search_index(db.session.connection())
    db.session.commit()
    click.echo("Search index rebuilt.")


def _service_for_command(wait: float) -> ScoringService:
    """Load Detoxify for a command, saying plainly which model will score."""

    service = scoring_service()
    service.wait_until_loaded(timeout=wait)
    click.echo(f"Scoring model: {service.status}. {service.reason}", err=True)
    return service


@harbor_cli.command("worker")
@click.option("--once", is_flag=True, help="Score what waits now, then stop.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between empty polls.")
@click.option(
    "--wait", default=120.0, show_default=True, help="With --once: seconds to wait for Detoxify."
)
def worker_command(once: bool, interval: float, wait: float) -> None:
    """Score waiting posts (and rescore fallback-scored ones once Detoxify is back).

    With --once the model is waited for first: a one-shot run then scores with Detoxify, and
    never exits while torch is still loading in its thread (which aborts the process).
    """

    service = _service_for_command(wait) if once else scoring_service()
    scored = run_worker(service, forever=not once, interval=interval)
    click.echo(f"Scored {scored} posts.")


@harbor_cli.command("rescore")
@click.option("--since", type=click.DateTime(), help="Only posts written on or after this date.")
@click.option("--until", type=click.DateTime(), help="Only posts written before this date.")
@click.option("--batch-size", default=32, show_default=True)
@click.option("--wait", default=120.0, show_default=True, help="Seconds to wait for Detoxify.")
def rescore_command(since, until, batch_size: int, wait: float) -> None:  # noqa: ANN001
    """Score posts again and re-apply the policy (after a model or threshold change).

    Posts are leased as a scoring worker leases them, so a rescore and running workers never
    score one post at the same time.
    """

    service = _service_for_command(wait)
    condition = Post.status.notin_([PostStatus.DELETED, PostStatus.REMOVED])
    if since:
        condition &= Post.created_at >= since
    if until:
        condition &= Post.created_at < until
    total = count(Post, condition)
    with click.progressbar(length=total, label="Rescoring") as bar:
        for batch in rescore(service, Post, condition, batch_size):
            bar.update(batch)
    click.echo(f"Rescored {total} posts.")


def _evaluation_output(figures: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(figures, sort_keys=True))
        return

    def shown(value: object) -> object:
        return f"{value:.4f}" if isinstance(value, float) else value

    for section, values in figures.items():
        if isinstance(values, dict):
            click.echo(f"{section}:")
            for key, value in values.items():
                click.echo(f"  {key}: {shown(value)}")
        else:
            click.echo(f"{section}: {shown(values)}")


@harbor_cli.command("evaluate-moderation")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--text-column", required=True)
@click.option("--label-column", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--limit", type=int, help="Only the first N rows.")
@click.option("--wait", default=120.0, show_default=True, help="Seconds to wait for Detoxify.")
def evaluate_moderation_command(csv_file, text_column, label_column, as_json, limit, wait) -> None:  # noqa: ANN001
    """Run the pipeline over a labelled CSV: precision, recall, F1, FPR, ROC-AUC."""

    try:
        rows = read_labelled_csv(csv_file, text_column, label_column)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    rows = rows[:limit] if limit else rows
    service = _service_for_command(wait)
    figures = evaluate_moderation(
        service, rows, thresholds_from_config(current_app.config["HARBOR_THRESHOLDS"])
    )
    _evaluation_output(figures, as_json)


@harbor_cli.command("evaluate-crisis")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--text-column", required=True)
@click.option("--label-column", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate_crisis_command(csv_file, text_column, label_column, as_json) -> None:  # noqa: ANN001
    """Evaluate the crisis detector on a labelled CSV: recall, precision, false-positive rate."""

    try:
        rows = read_labelled_csv(csv_file, text_column, label_column)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    _evaluation_output(evaluate_crisis(CrisisDetector(), rows), as_json)


@harbor_cli.command("calibrate")
def calibrate_command() -> None:
    """Suggest per-label thresholds from moderators' reviewed decisions."""

    suggestions = suggest_thresholds()
    if not suggestions:
        click.echo("No reviewed automatic flags or reports yet: nothing to calibrate from.")
        return
    click.echo(f"{'label':<18}{'reviewed':>9}{'removed':>9}{'current':>16}{'suggested':>16}")
    for row in suggestions:
        click.echo(
            f"{row['label']:<18}{row['reviewed']:>9}{row['removed']:>9}"
            f"{row['current']:>16}{row['suggested']:>16}"
        )
