"""Sanctions on members (warn, mute, suspend, ban), the strike ladder, and appeals.

Every sanction states its reason and end date to the member, and can be appealed once; an appeal
is reviewed by a moderator other than the one who imposed the sanction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, exists, or_, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import AccountStatus, User
from app.audit import service as audit
from app.db import utcnow
from app.forums.models import Forum, Membership, MembershipStatus
from app.i18n import _
from app.moderation_queue.models import Appeal, AppealStatus, Sanction, SanctionKind
from app.notifications import service as notifications


class AppealRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _live(now: datetime) -> Any:
    return (Sanction.lifted_at.is_(None)) & or_(Sanction.ends_at.is_(None), Sanction.ends_at > now)


def active(session: Session, user_id: int, forum_id: int | None = None) -> Sequence[Sanction]:
    """Sanctions in force on a member: site-wide ones, plus those in `forum_id` if given."""
    scope: ColumnElement[bool] = Sanction.forum_id.is_(None)
    if forum_id is not None:
        scope = or_(scope, Sanction.forum_id == forum_id)
    return session.scalars(
        select(Sanction).where(Sanction.user_id == user_id, scope, _live(utcnow()))
    ).all()


@dataclass(frozen=True)
class Restriction:
    """What a member's sanctions stop them doing in one forum right now."""

    muted_until: datetime | None = None
    suspended_until: datetime | None = None
    muted: bool = False
    suspended: bool = False


def in_force(user_id: int, forum_id: SQLColumnExpression[int] | int, now: datetime) -> Any:
    """The condition for a member's sanctions in force in a forum (or site-wide) at `now`."""
    return (
        (Sanction.user_id == user_id)
        & or_(Sanction.forum_id.is_(None), Sanction.forum_id == forum_id)
        & _live(now)
    )


def restriction(session: Session, user_id: int, forum_id: int) -> Restriction:
    return restriction_from(active(session, user_id, forum_id))


def restriction_from(in_force: Sequence[Sanction]) -> Restriction:
    muted = suspended = False
    muted_until = suspended_until = None
    for s in in_force:
        if s.kind is SanctionKind.MUTE:
            muted, muted_until = True, s.ends_at
        elif s.kind in (SanctionKind.SUSPENSION, SanctionKind.BAN):
            suspended, suspended_until = True, s.ends_at
    return Restriction(muted_until, suspended_until, muted, suspended)


def strikes(session: Session, user_id: int, forum_id: int | None) -> int:
    """Sanctions that stood (not overturned) in this forum or site-wide."""
    return len(
        session.scalars(
            select(Sanction.id)
            .outerjoin(Appeal, Appeal.sanction_id == Sanction.id)
            .where(
                Sanction.user_id == user_id,
                or_(Sanction.forum_id == forum_id, Sanction.forum_id.is_(None)),
                or_(Appeal.status.is_(None), Appeal.status != AppealStatus.OVERTURNED),
            )
        ).all()
    )


def suggest_next(session: Session, user_id: int, forum: Forum) -> dict[str, Any] | None:
    """The strike ladder's next step for this member in this forum."""
    ladder = forum.policy.strike_ladder
    if not ladder:
        return None
    return dict(ladder[min(strikes(session, user_id, forum.id), len(ladder) - 1)])


def impose(
    session: Session,
    moderator: User,
    member: User,
    forum: Forum | None,
    kind: SanctionKind,
    reason: str,
    days: int | None,
) -> Sanction:
    ends_at = utcnow() + timedelta(days=days) if days else None
    sanction = Sanction(
        user_id=member.id,
        forum_id=forum.id if forum else None,
        kind=kind,
        reason=reason,
        ends_at=ends_at,
        created_by_id=moderator.id,
    )
    session.add(sanction)
    session.flush()
    if kind is SanctionKind.BAN and forum is not None:
        for membership in session.scalars(
            select(Membership).where(
                Membership.forum_id == forum.id, Membership.user_id == member.id
            )
        ):
            membership.status = MembershipStatus.REMOVED
    if forum is None and kind in (SanctionKind.SUSPENSION, SanctionKind.BAN):
        member.status = (
            AccountStatus.DEACTIVATED if kind is SanctionKind.BAN else AccountStatus.SUSPENDED
        )
        accounts.end_all_sessions(session, member.id)
    notifications.notify(
        session,
        member.id,
        f"sanction.{kind.value}",
        url="/account/sanctions",
        sanction=kind.value,
        forum=forum.name if forum else None,
        ends_on=ends_at.date().isoformat() if ends_at else None,
        reason=reason,
    )
    audit.record(
        session,
        actor_id=moderator.id,
        action=f"sanction.{kind.value}",
        target_type="user",
        target_id=member.id,
        forum_id=forum.id if forum else None,
        sanction_id=sanction.id,
        days=days,
    )
    return sanction


def unacknowledged_warning_query(user_id: SQLColumnExpression[int]) -> Any:
    """Whether the member has a warning still to read, as an EXISTS (asked with their session)."""
    return exists().where(
        Sanction.user_id == user_id,
        Sanction.kind == SanctionKind.WARNING,
        Sanction.acknowledged_at.is_(None),
        Sanction.lifted_at.is_(None),
    )


def unacknowledged_warning(session: Session, user_id: int) -> Sanction | None:
    return session.scalar(
        select(Sanction)
        .where(
            Sanction.user_id == user_id,
            Sanction.kind == SanctionKind.WARNING,
            Sanction.acknowledged_at.is_(None),
            Sanction.lifted_at.is_(None),
        )
        .limit(1)
    )


def of_member(session: Session, user_id: int) -> Sequence[Sanction]:
    return session.scalars(
        select(Sanction).where(Sanction.user_id == user_id).order_by(Sanction.created_at.desc())
    ).all()


def acknowledge(session: Session, member: User, sanction_id: int) -> None:
    sanction = session.get(Sanction, sanction_id)
    if sanction is not None and sanction.user_id == member.id and sanction.acknowledged_at is None:
        sanction.acknowledged_at = utcnow()


def site_ban_of(session: Session, member: User) -> Sanction | None:
    """The site-wide ban that closed this account, while it is in force."""
    now = utcnow()
    return session.scalar(
        select(Sanction)
        .where(
            Sanction.user_id == member.id,
            Sanction.forum_id.is_(None),
            Sanction.kind == SanctionKind.BAN,
            Sanction.lifted_at.is_(None),
            or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
        )
        .order_by(Sanction.created_at.desc())
        .limit(1)
    )


def appeal_of(session: Session, sanction: Sanction) -> Appeal | None:
    return session.scalar(select(Appeal).where(Appeal.sanction_id == sanction.id))


def appealed_ids(session: Session, sanction_ids: Sequence[int]) -> set[int]:
    if not sanction_ids:
        return set()
    return set(
        session.scalars(select(Appeal.sanction_id).where(Appeal.sanction_id.in_(sanction_ids)))
    )


def appeal(session: Session, member: User, sanction_id: int, body: str) -> Appeal:
    sanction = session.get(Sanction, sanction_id)
    if sanction is None or sanction.user_id != member.id:
        raise AppealRefused(_("We couldn't find that sanction on your account."))
    if session.scalar(select(Appeal.id).where(Appeal.sanction_id == sanction.id)) is not None:
        raise AppealRefused(
            _("You have already appealed this decision; each can be appealed once.")
        )
    created = Appeal(sanction_id=sanction.id, body=body)
    session.add(created)
    session.flush()
    audit.record(
        session,
        actor_id=member.id,
        action="appeal.create",
        target_type="sanction",
        target_id=sanction.id,
        forum_id=sanction.forum_id,
    )
    return created


def _reviewable_by(reviewer: User, forum_ids: Sequence[int]) -> Select[Appeal]:
    """Pending appeals this moderator may review: in their forums (site-wide sanctions for site
    admins), never against their own sanction."""
    scope: ColumnElement[bool] = Sanction.forum_id.in_(forum_ids)
    if reviewer.is_admin:
        scope = or_(scope, Sanction.forum_id.is_(None))
    return (
        select(Appeal)
        .join(Sanction, Sanction.id == Appeal.sanction_id)
        .where(Appeal.status == AppealStatus.PENDING, scope, Sanction.created_by_id != reviewer.id)
    )


def appeals_for(session: Session, reviewer: User, forum_ids: Sequence[int]) -> Sequence[Appeal]:
    return session.scalars(_reviewable_by(reviewer, forum_ids).order_by(Appeal.created_at)).all()


def appeal_to_review(
    session: Session, reviewer: User, forum_ids: Sequence[int], appeal_id: int
) -> Appeal | None:
    """One appeal, if this moderator may review it (loaded alone, not picked from the list)."""
    return session.scalar(_reviewable_by(reviewer, forum_ids).where(Appeal.id == appeal_id))


def decide_appeal(
    session: Session, reviewer: User, appeal_row: Appeal, overturn: bool, response: str
) -> None:
    sanction = appeal_row.sanction
    if sanction.created_by_id == reviewer.id:
        raise AppealRefused(
            "A different moderator must review an appeal against your own decision."
        )
    if appeal_row.status is not AppealStatus.PENDING:
        raise AppealRefused(_("This appeal has already been decided."))
    appeal_row.status = AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD
    appeal_row.reviewer_id = reviewer.id
    appeal_row.response = response
    appeal_row.decided_at = utcnow()
    if overturn:
        lift(session, sanction)
    notifications.notify(
        session,
        sanction.user_id,
        "appeal.decided",
        url="/account/sanctions",
        overturned=overturn,
        response=response,
    )
    audit.record(
        session,
        actor_id=reviewer.id,
        action=f"appeal.{appeal_row.status.value}",
        target_type="sanction",
        target_id=sanction.id,
        forum_id=sanction.forum_id,
    )


def lift(session: Session, sanction: Sanction) -> None:
    sanction.lifted_at = utcnow()
    member = session.get(User, sanction.user_id)
    if member is None:
        return
    if sanction.forum_id is None and sanction.kind is SanctionKind.BAN:
        member.status = AccountStatus.ACTIVE
    if sanction.kind is SanctionKind.BAN and sanction.forum_id is not None:
        for membership in session.scalars(
            select(Membership).where(
                Membership.forum_id == sanction.forum_id, Membership.user_id == member.id
            )
        ):
            membership.status = MembershipStatus.ACTIVE
