"""`harbour moderation …`: rescore posts, evaluate a scorer on labelled data, calibrate a forum."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

import moderation
from app.audit import service as audit
from app.config import get_settings
from app.db import make_engine, make_sessionmaker, write_transaction
from app.forums import service as forums
from app.main import load_configured_scorer
from app.moderation_queue import service as queue
from app.moderation_queue.gate import ModerationGate, policy_for
from app.moderation_queue.models import DecisionAction, ModerationDecision
from app.posts.models import Post, PostStatus
from moderation import evaluation

moderation_cli = typer.Typer(
    help="The moderation engine: rescore, evaluate, calibrate.", no_args_is_help=True
)


def _gate() -> ModerationGate:
    settings = get_settings()
    return ModerationGate(
        sessions=make_sessionmaker(make_engine(settings.database_url), settings),
        scorer=load_configured_scorer(settings),
    )


@moderation_cli.command("rescore")
def rescore(
    all_posts: bool = typer.Option(
        False, "--all", help="Rescore every post, not only those scored by another model version."
    ),
    batch_size: int = typer.Option(64, min=1),
) -> None:
    """Re-assess posts with the configured scorer and store the new scores beside the old ones.

    Statuses are left to people: a held post gets its new priority, and a published post that the
    new model would hold is flagged for a moderator's look instead of being taken down.
    """
    gate = _gate()
    with gate.sessions() as session:
        latest = queue.latest_assessments(session, session.scalars(select(Post.id)).all())
        stale = [
            pid
            for pid, assessment in latest.items()
            if all_posts
            or assessment.scorer_version != gate.scorer.version
            or assessment.scorer_name != gate.scorer.name
        ]
    flagged = 0
    for start in range(0, len(stale), batch_size):
        with write_transaction(gate.sessions) as session:
            batch = session.scalars(
                select(Post).where(Post.id.in_(stale[start : start + batch_size]))
            ).all()
            results = gate.rescore(session, batch)
            flagged += sum(
                1
                for post, a in results
                if post.status is PostStatus.PUBLISHED and a.route is not moderation.Route.PUBLISH
            )
    typer.echo(
        f"Rescored {len(stale)} post(s) with {gate.scorer.name} {gate.scorer.version}; "
        f"{flagged} published post(s) flagged for review."
    )


@moderation_cli.command("evaluate")
def evaluate(
    csv_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A labelled CSV file."),
    text_column: str = typer.Option(..., help="Column holding the text."),
    label_column: str = typer.Option(
        ..., help="Column holding the label (1/0, a probability, or hateful/non-hateful)."
    ),
    delimiter: str | None = typer.Option(None, help="Field separator (guessed when left out)."),
    forum: str | None = typer.Option(
        None, help="Use this forum's thresholds (default: the defaults)."
    ),
) -> None:
    """Print ROC-AUC and precision / recall / F1 at the threshold for a labelled CSV."""
    settings = get_settings()
    scorer = load_configured_scorer(settings)
    thresholds = dict(moderation.DEFAULT_THRESHOLDS)
    if forum:
        with make_sessionmaker(make_engine(settings.database_url), settings)() as session:
            found = forums.get_by_slug(session, forum)
            if found is None:
                raise typer.BadParameter(f"no forum with slug {forum!r}", param_hint="--forum")
            thresholds = dict(policy_for(found).thresholds)
    texts, labels = evaluation.load_labelled_csv(
        csv_file, text_column, label_column, delimiter=delimiter
    )
    report = evaluation.evaluate(texts, labels, scorer, thresholds)
    typer.echo(report.format())


@moderation_cli.command("calibrate")
def calibrate(
    forum: str = typer.Argument(..., help="The forum's slug."),
    apply: bool = typer.Option(
        False, "--apply", help="Write the suggested thresholds to the forum's policy."
    ),
) -> None:
    """Fit thresholds to this forum's moderator decisions; shows what would change first."""
    settings = get_settings()
    sessions = make_sessionmaker(make_engine(settings.database_url), settings)
    with write_transaction(sessions) as session:
        found = forums.get_by_slug(session, forum)
        if found is None:
            raise typer.BadParameter(f"no forum with slug {forum!r}", param_hint="FORUM")
        rows = session.execute(
            select(ModerationDecision.action, ModerationDecision.post_id)
            .join(Post, Post.id == ModerationDecision.post_id)
            .join(Post.thread)
            .where(Post.thread.has(forum_id=found.id))
        ).all()
        scores = queue.latest_assessments(
            session, [post_id for _action, post_id in rows if post_id]
        )
        decisions = [
            (scores[post_id].scores, action is DecisionAction.REJECT)
            for action, post_id in rows
            if post_id in scores and scores[post_id].scores
        ]
        if not decisions:
            typer.echo(
                f"{found.name} has no moderator decisions on scored posts yet; nothing to fit."
            )
            return
        result = evaluation.calibrate(decisions, current=dict(found.policy.thresholds))
        typer.echo(result.format())
        if apply:
            found.policy.thresholds = {**found.policy.thresholds, **result.suggested}
            audit.record(
                session,
                actor_id=None,
                action="policy.calibrate",
                target_type="forum",
                target_id=found.id,
                forum_id=found.id,
                thresholds=dict(result.suggested),
            )
            typer.echo("Applied the suggested thresholds.")
        else:
            typer.echo("Nothing was changed; run again with --apply to use these thresholds.")
