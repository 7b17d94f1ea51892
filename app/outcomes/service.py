"""Outcome measures: when a check-in is due, saving one, a member's own trend, and the
aggregate-only impact figures for commissioners.

Figures leave this module only as aggregates over at least MIN_GROUP people (k-anonymity): a
smaller group is reported as "fewer than 10", never as numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean, stdev

from scipy import stats
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.forums.models import Forum
from app.outcomes.models import QUESTIONS, OutcomeResponse

MIN_GROUP = 10


def responses_of(session: Session, forum: Forum, user: User) -> Sequence[OutcomeResponse]:
    return session.scalars(
        select(OutcomeResponse)
        .where(OutcomeResponse.forum_id == forum.id, OutcomeResponse.user_id == user.id)
        .order_by(OutcomeResponse.created_at, OutcomeResponse.id)
    ).all()


def is_due(responses: Sequence[OutcomeResponse], forum: Forum, now: datetime) -> bool:
    """At joining (no answers yet), then every N weeks (the forum's setting)."""
    if not responses:
        return True
    return now - responses[-1].created_at >= timedelta(weeks=forum.policy.outcome_every_weeks)


def record(
    session: Session, forum: Forum, user: User, answers: Mapping[str, int | None]
) -> OutcomeResponse | None:
    """Save the answers given (any may be skipped); nothing at all answered saves nothing."""
    given = {k: v for k, v in answers.items() if k in QUESTIONS and v is not None and 0 <= v <= 10}
    if not given:
        return None
    response = OutcomeResponse(forum_id=forum.id, user_id=user.id, **given)
    session.add(response)
    session.flush()
    return response


@dataclass(frozen=True)
class Change:
    """The mean change from first to latest answer, over the people who answered twice."""

    key: str
    people: int
    mean: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def shown(self) -> bool:
        return self.people >= MIN_GROUP and self.mean is not None


def _change(key: str, differences: list[float]) -> Change:
    people = len(differences)
    if people < MIN_GROUP:
        return Change(key, people)
    mean = fmean(differences)
    spread = stdev(differences) / math.sqrt(people)
    margin = float(stats.t.ppf(0.975, people - 1)) * spread
    return Change(key, people, round(mean, 2), round(mean - margin, 2), round(mean + margin, 2))


@dataclass(frozen=True)
class Impact:
    forum: Forum
    answered: int  # people who answered at least once
    followed_up: int  # people who answered at least twice
    changes: list[Change]

    @property
    def shown(self) -> bool:
        return self.answered >= MIN_GROUP


def impact(session: Session, forum: Forum) -> Impact:
    """Counts and mean changes for one forum; per-person rows never leave this function."""
    rows = session.scalars(
        select(OutcomeResponse)
        .where(OutcomeResponse.forum_id == forum.id)
        .order_by(OutcomeResponse.user_id, OutcomeResponse.created_at, OutcomeResponse.id)
    ).all()
    by_person: dict[int, list[OutcomeResponse]] = {}
    for row in rows:
        by_person.setdefault(row.user_id, []).append(row)
    changes = []
    for key in QUESTIONS:
        differences = []
        for answers in by_person.values():
            values = [a.answer(key) for a in answers if a.answer(key) is not None]
            if len(values) >= 2:
                differences.append(float(values[-1] - values[0]))  # type: ignore[operator]
        changes.append(_change(key, differences))
    followed = sum(1 for answers in by_person.values() if len(answers) >= 2)
    return Impact(forum, len(by_person), followed, changes)


def impact_csv_rows(impacts: Sequence[Impact]) -> list[list[str]]:
    """One row per forum and measure; a group under MIN_GROUP people shows no figures."""
    rows = [
        [
            "forum",
            "measure",
            "people_answered",
            "people_followed_up",
            "mean_change",
            "ci95_low",
            "ci95_high",
        ]
    ]
    for found in impacts:
        for change in found.changes:
            if not found.shown:
                rows.append([found.forum.slug, change.key, f"<{MIN_GROUP}", "", "", "", ""])
                continue
            figures = (
                [str(change.mean), str(change.low), str(change.high)]
                if change.shown
                else ["", "", ""]
            )
            followed = str(change.people) if change.people >= MIN_GROUP else f"<{MIN_GROUP}"
            rows.append([found.forum.slug, change.key, str(found.answered), followed, *figures])
    return rows


def for_export(session: Session, user: User) -> list[dict[str, object]]:
    """Every check-in the member answered, each answer or None where they skipped it."""
    rows = session.execute(
        select(OutcomeResponse, Forum.name)
        .join(Forum, Forum.id == OutcomeResponse.forum_id)
        .where(OutcomeResponse.user_id == user.id)
        .order_by(OutcomeResponse.created_at, OutcomeResponse.id)
    ).all()
    return [
        {
            "forum": forum_name,
            "answered_at": r.created_at.isoformat(),
            "answers": {key: r.answer(key) for key in QUESTIONS},
        }
        for r, forum_name in rows
    ]


def forget_member(session: Session, user: User) -> None:
    """Account deletion: the member's answers go. A mean change needs each person's first and
    latest answers linked, so nothing of theirs can stay in the commissioners' figures without
    a link back to them: their answers leave the aggregate with the account."""
    session.execute(delete(OutcomeResponse).where(OutcomeResponse.user_id == user.id))
