"""The `harbour` command line."""

from __future__ import annotations

import getpass

import typer

from app.config import get_settings
from app.moderation_queue.commands import moderation_cli

cli = typer.Typer(help="Harbour: a moderated peer-support forum.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(moderation_cli, name="moderation")


@db_cli.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from app import migrations

    migrations.upgrade(get_settings().database_url, revision)
    typer.echo(f"Database upgraded to {revision}.")


@db_cli.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="e.g. -1 or base")) -> None:
    """Revert migrations down to REVISION."""
    from app import migrations

    migrations.downgrade(get_settings().database_url, revision)
    typer.echo(f"Database downgraded to {revision}.")


@cli.command("create-admin")
def create_admin(
    email: str = typer.Option(..., prompt=True),
    handle: str = typer.Option(..., prompt=True),
    password: str = typer.Option(
        None, help="Prompted for when left out (keeps it out of history)."
    ),
) -> None:
    """Create a site administrator."""
    from app.accounts import service as accounts
    from app.accounts.models import SiteRole
    from app.db import make_engine, make_sessionmaker, write_transaction

    if password is None:
        password = getpass.getpass("Password: ")
    sessions = make_sessionmaker(make_engine(get_settings().database_url), get_settings())
    try:
        with write_transaction(sessions) as session:
            user = accounts.register(
                session, handle=handle, email=email, password=password, site_role=SiteRole.ADMIN
            )
            typer.echo(f"Created admin {user.handle} <{user.email}>.")
    except accounts.RegistrationError as exc:
        for field, message in exc.errors.items():
            typer.echo(f"{field}: {message}", err=True)
        raise typer.Exit(code=1) from exc


@cli.command("demo")
def demo() -> None:
    """Seed three demo forums with members, threads and held posts; prints the demo logins."""
    from app import demo as demo_data

    settings = get_settings()
    logins = demo_data.seed(settings)
    if logins is None:
        typer.echo("The demo is already seeded; nothing changed.")
        logins = demo_data.DEMO_LOGINS
    typer.echo(f"Demo logins (password for all: {demo_data.DEMO_PASSWORD}):")
    for role, email in logins:
        typer.echo(f"  {role:<28} {email}")


@cli.command("serve")
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: bool = False,
) -> None:
    """Serve Harbour with uvicorn (one process; use gunicorn in production)."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        # Forwarded headers are read by the app itself, from HARBOUR_TRUSTED_PROXIES only.
        proxy_headers=False,
    )


@cli.command("worker")
def worker(once: bool = typer.Option(False, help="Assess what is waiting, then exit.")) -> None:
    """Assess posts awaiting assessment, in batches (for slow scorers and multi-process servers)."""
    from app.alerts.delivery import AlertWorker
    from app.db import make_engine, make_sessionmaker
    from app.main import assessment_worker_for, load_configured_scorer
    from app.moderation_queue.gate import ModerationGate

    settings = get_settings()
    gate = ModerationGate(
        sessions=make_sessionmaker(make_engine(settings.database_url), settings),
        scorer=load_configured_scorer(settings),
    )
    alert_worker = AlertWorker(gate.sessions, settings)
    assessment_worker = assessment_worker_for(
        gate,
        grace=None,
        database_url=settings.database_url,
        poll_seconds=settings.worker_poll_seconds,
    )
    if once:
        typer.echo(f"Assessed {assessment_worker.run_until_idle()} post(s).")
        typer.echo(f"Attempted {alert_worker.run_until_idle()} alert delivery(ies).")
        return
    typer.echo(f"Assessing posts with the {gate.scorer.name} scorer; Ctrl-C to stop.")
    alert_worker.start()  # urgent alerts: escalations and deliveries, beside the assessments
    try:
        assessment_worker.run_forever(
            on_ready=lambda: typer.echo("Ready: what was waiting is assessed; listening for more.")
        )
    except KeyboardInterrupt:
        typer.echo("Stopped.")
    finally:
        alert_worker.stop()


@cli.command("outbox")
def outbox(
    limit: int = typer.Option(20, min=1),
    body: bool = typer.Option(False, help="Show the text too."),
) -> None:
    """List the newest emails Harbour has written (development mode keeps them here)."""
    from sqlalchemy import select

    from app.db import make_engine, make_sessionmaker
    from app.notifications.models import OutboxEmail

    settings = get_settings()
    with make_sessionmaker(make_engine(settings.database_url), settings)() as session:
        mails = session.scalars(
            select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)
        ).all()
        if not mails:
            typer.echo("The outbox is empty.")
        for mail in mails:
            state = "sent" if mail.sent_at else "kept"
            typer.echo(
                f"{mail.created_at:%Y-%m-%d %H:%M}  {state}  {mail.to_address}  {mail.subject}"
            )
            if body:
                typer.echo(mail.body)


@cli.command("digest")
def digest(period: str = typer.Argument(..., help="daily or weekly")) -> None:
    """Email each member who chose this digest and has unread notifications."""
    from app.db import make_engine, make_sessionmaker, write_transaction
    from app.notifications import email

    if period not in email.DIGEST_PERIODS:
        raise typer.BadParameter("choose daily or weekly", param_hint="PERIOD")
    settings = get_settings()
    with write_transaction(
        make_sessionmaker(make_engine(settings.database_url), settings)
    ) as session:
        sent = email.send_digests(session, settings, period)
    typer.echo(f"Sent {sent} {period} digest(s).")


def main() -> None:
    cli()
