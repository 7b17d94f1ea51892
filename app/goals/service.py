"""Personal goals: setting one, who may see it, progress, encouragement, reminders.

The rule for who sees a goal lives here and only here: its member; if shared with their buddy,
the two people of that pairing while it lasts; if shared with a cohort, that cohort's members.
Nobody else, not even the forum's moderators (a goal is the member's own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import User
from app.audit import service as audit
from app.buddies.models import BuddyPairing, PairingStatus
from app.cohorts.models import Cohort, CohortMember
from app.db import utcnow, write_transaction
from app.forums.models import Forum
from app.goals.models import Goal, GoalEncouragement, GoalProgress, GoalSharing
from app.i18n import N_
from app.notifications import service as notifications

MAX_GOAL_CHARS = 200
MAX_WEEKS = 26


class GoalError(Exception):
    def __init__(self, message: str, field: str = "text") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _today(forum: Forum, now: datetime) -> date:
    return now.astimezone(ZoneInfo(forum.policy.timezone)).date()


@dataclass(frozen=True)
class ShareChoice:
    """Somewhere a member may share a goal: their buddy pairing or a cohort they are in."""

    sharing: GoalSharing
    forum: Forum
    pairing_id: int | None = None
    cohort: Cohort | None = None

    @property
    def value(self) -> str:
        if self.sharing is GoalSharing.BUDDY:
            return f"buddy-{self.pairing_id}"
        if self.sharing is GoalSharing.COHORT and self.cohort is not None:
            return f"cohort-{self.cohort.id}"
        return f"private-{self.forum.id}"


def share_choices(session: Session, user: User, forums: Sequence[Forum]) -> list[ShareChoice]:
    """Private (per forum the member is in), their active buddy pairings, and their cohorts."""
    choices = [ShareChoice(GoalSharing.PRIVATE, f) for f in forums]
    by_id = {f.id: f for f in forums}
    pairings = session.scalars(
        select(BuddyPairing).where(
            or_(BuddyPairing.member_id == user.id, BuddyPairing.buddy_id == user.id),
            BuddyPairing.status == PairingStatus.ACTIVE,
        )
    ).all()
    choices += [
        ShareChoice(GoalSharing.BUDDY, by_id[p.forum_id], pairing_id=p.id)
        for p in pairings
        if p.forum_id in by_id
    ]
    cohorts = session.scalars(
        select(Cohort).join(CohortMember).where(CohortMember.user_id == user.id)
    ).all()
    choices += [
        ShareChoice(GoalSharing.COHORT, by_id[c.forum_id], cohort=c)
        for c in cohorts
        if c.forum_id in by_id
    ]
    return choices


def set_goal(
    session: Session,
    user: User,
    choice: ShareChoice,
    *,
    text: str,
    reminder_days: Sequence[int],
    weeks: int,
) -> Goal:
    text = " ".join(text.split())
    if not text or len(text) > MAX_GOAL_CHARS:
        raise GoalError(N_("Say what your goal is in up to 200 characters."))
    if not 1 <= weeks <= MAX_WEEKS:
        raise GoalError(N_("Choose between 1 and 26 weeks."), "weeks")
    goal = Goal(
        user_id=user.id,
        user=user,
        forum_id=choice.forum.id,
        text=text,
        reminder_days=sorted({d for d in reminder_days if 0 <= d <= 6}),
        until=_today(choice.forum, utcnow()) + timedelta(weeks=weeks),
        sharing=choice.sharing,
        pairing_id=choice.pairing_id,
        cohort_id=choice.cohort.id if choice.cohort else None,
    )
    session.add(goal)
    session.flush()
    return goal


def can_view(session: Session, goal: Goal, user: User) -> bool:
    if goal.user_id == user.id:
        return True
    if goal.sharing is GoalSharing.BUDDY and goal.pairing_id is not None:
        pairing = session.get(BuddyPairing, goal.pairing_id)
        return (
            pairing is not None
            and pairing.status is PairingStatus.ACTIVE
            and pairing.involves(user.id)
        )
    if goal.sharing is GoalSharing.COHORT and goal.cohort_id is not None:
        return (
            session.scalar(
                select(CohortMember.id).where(
                    CohortMember.cohort_id == goal.cohort_id, CohortMember.user_id == user.id
                )
            )
            is not None
        )
    return False


def get_for(session: Session, goal_id: int, user: User) -> Goal | None:
    """A goal only for those it is shared with (no IDOR through the id)."""
    goal = session.get(Goal, goal_id)
    if goal is None or not can_view(session, goal, user):
        return None
    return goal


def own_goals(session: Session, user: User) -> Sequence[Goal]:
    return session.scalars(
        select(Goal).where(Goal.user_id == user.id).order_by(Goal.created_at.desc()).limit(50)
    ).all()


def shared_with(session: Session, user: User) -> list[Goal]:
    """Other people's goals shared with this member: by their buddy, or in their cohorts."""
    pairing_ids = select(BuddyPairing.id).where(
        or_(BuddyPairing.member_id == user.id, BuddyPairing.buddy_id == user.id),
        BuddyPairing.status == PairingStatus.ACTIVE,
    )
    cohort_ids = select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)
    return list(
        session.scalars(
            select(Goal)
            .where(
                Goal.user_id != user.id,
                Goal.ended_at.is_(None),
                or_(
                    (Goal.sharing == GoalSharing.BUDDY) & Goal.pairing_id.in_(pairing_ids),
                    (Goal.sharing == GoalSharing.COHORT) & Goal.cohort_id.in_(cohort_ids),
                ),
            )
            .order_by(Goal.created_at.desc())
            .limit(100)
        ).all()
    )


def record_progress(session: Session, goal: Goal, now: datetime) -> bool:
    """Today done (once a day; a second tap changes nothing). False if already recorded."""
    forum = session.get(Forum, goal.forum_id)
    assert forum is not None
    today = _today(forum, now)
    if session.scalar(
        select(GoalProgress.id).where(GoalProgress.goal_id == goal.id, GoalProgress.day == today)
    ):
        return False
    session.add(GoalProgress(goal_id=goal.id, day=today))
    session.flush()
    return True


def history(session: Session, goal: Goal, days: int = 28) -> list[tuple[date, bool]]:
    """The last `days` days, oldest first, each with whether progress was recorded."""
    forum = session.get(Forum, goal.forum_id)
    assert forum is not None
    today = _today(forum, utcnow())
    start = today - timedelta(days=days - 1)
    done = set(
        session.scalars(
            select(GoalProgress.day).where(
                GoalProgress.goal_id == goal.id, GoalProgress.day >= start
            )
        ).all()
    )
    return [(start + timedelta(days=i), start + timedelta(days=i) in done) for i in range(days)]


def encourage(session: Session, goal: Goal, user: User) -> bool:
    if goal.user_id == user.id:
        raise GoalError(N_("Encouragement is for other people's goals."), "goal")
    if session.scalar(
        select(GoalEncouragement.id).where(
            GoalEncouragement.goal_id == goal.id, GoalEncouragement.user_id == user.id
        )
    ):
        return False
    session.add(GoalEncouragement(goal_id=goal.id, user_id=user.id))
    session.flush()
    notifications.notify(session, goal.user_id, "goal.encouraged", url=f"/goals/{goal.id}")
    return True


def encouragement_count(session: Session, goal: Goal) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(GoalEncouragement)
            .where(GoalEncouragement.goal_id == goal.id)
        )
        or 0
    )


def take_down(
    session: Session, goal: Goal, by_id: int, reason: str, message: str | None = None
) -> None:
    """A moderator took the goal's words down: nobody else sees it any more (it becomes
    private, for good); its member keeps it, and is told why."""
    goal.sharing = GoalSharing.PRIVATE
    goal.pairing_id = goal.cohort_id = None
    session.flush()
    facts = {"reason": reason, **({"message": message} if message else {})}
    notifications.notify(session, goal.user_id, "goal.taken_down", url=f"/goals/{goal.id}", **facts)
    audit.record(
        session,
        actor_id=by_id,
        action="goal.take_down",
        target_type="goal",
        target_id=goal.id,
        forum_id=goal.forum_id,
    )


# ---- reminders (the worker's sweep) -------------------------------------------------------


def _reminder_candidates() -> Select[Goal]:
    return select(Goal).where(Goal.ended_at.is_(None))


def _due(goal: Goal, forum: Forum, now: datetime) -> bool:
    today = _today(forum, now)
    return (
        today.weekday() in goal.reminder_days
        and today <= goal.until
        and goal.last_reminded_on != today
    )


def run_due(sessions: sessionmaker[Session], limit: int = 32) -> int:
    """A gentle reminder on each chosen day (in the app; by email too if the member chose
    immediate emails, as for every notification). Returns how many it sent."""
    now = utcnow()
    with sessions() as reading:
        due = [
            g.id
            for g in reading.scalars(_reminder_candidates().limit(2000)).all()
            if _due(g, reading.get(Forum, g.forum_id), now)  # type: ignore[arg-type]
        ][:limit]
    if not due:
        return 0
    sent = 0
    with write_transaction(sessions) as session:
        for goal in session.scalars(select(Goal).where(Goal.id.in_(due))).all():
            forum = session.get(Forum, goal.forum_id)
            assert forum is not None
            if not _due(goal, forum, now):
                continue
            goal.last_reminded_on = _today(forum, now)
            notifications.notify(session, goal.user_id, "goal.reminder", url=f"/goals/{goal.id}")
            sent += 1
    return sent


# ---- the member's data export -------------------------------------------------------------


def for_export(session: Session, user: User) -> list[dict[str, object]]:
    """The member's goals with every day they recorded and how many cheered them on."""
    goals = session.scalars(
        select(Goal).where(Goal.user_id == user.id).order_by(Goal.created_at, Goal.id)
    ).all()
    days: dict[int, list[str]] = {}
    for goal_id, day in session.execute(
        select(GoalProgress.goal_id, GoalProgress.day)
        .join(Goal, Goal.id == GoalProgress.goal_id)
        .where(Goal.user_id == user.id)
        .order_by(GoalProgress.day)
    ):
        days.setdefault(goal_id, []).append(day.isoformat())
    return [
        {
            "text": g.text,
            "shared_with": g.sharing.value,
            "reminder_days": list(g.reminder_days),
            "until": g.until.isoformat(),
            "created_at": g.created_at.isoformat(),
            "ended_at": g.ended_at.isoformat() if g.ended_at else None,
            "days_done": days.get(g.id, []),
            "encouragements": encouragement_count(session, g),
        }
        for g in goals
    ]


def forget_member(session: Session, user: User) -> None:
    """Account deletion: the member's goals go, with the days done and the cheers on them, and
    so do the cheers they gave others (a goal is health data, and the member's own)."""
    session.execute(delete(GoalEncouragement).where(GoalEncouragement.user_id == user.id))
    own = select(Goal.id).where(Goal.user_id == user.id)
    session.execute(delete(GoalEncouragement).where(GoalEncouragement.goal_id.in_(own)))
    session.execute(delete(GoalProgress).where(GoalProgress.goal_id.in_(own)))
    session.execute(delete(Goal).where(Goal.user_id == user.id))
