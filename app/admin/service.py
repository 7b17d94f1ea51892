"""The admin console's work: forums, invites, join requests, people, the policy editor, figures."""

from __future__ import annotations

import csv
import io
import re
import secrets
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased

import moderation
from app.accounts import emails as account_emails
from app.accounts import service as accounts
from app.accounts import two_factor
from app.accounts.models import AccountStatus, IdentityClash, SiteRole, User
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.config import Settings
from app.db import utcnow
from app.forums import service as forums_service
from app.forums.models import (
    Forum,
    Invite,
    InviteUse,
    Membership,
    MembershipRole,
    MembershipStatus,
    WatchedWord,
    WatchedWordAction,
)
from app.i18n import _
from app.moderation_queue import metrics
from app.moderation_queue.models import ModerationDecision, PostAssessment, ReviewItem
from app.notifications import service as notifications
from app.posts.models import Post, PostStatus, Thread

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class AdminInputError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid")
        self.errors = errors


# ---- forums -------------------------------------------------------------------------------


def validate_forum(session: Session, values: dict[str, Any], existing: Forum | None) -> None:
    errors = {}
    if not values["name"].strip():
        errors["name"] = _("Give the forum a name.")
    if not SLUG.match(values["slug"]):
        errors["slug"] = _("Use lower-case letters, numbers and dashes, e.g. kidney-young-adults.")
    else:
        clash = session.scalar(select(Forum).where(Forum.slug == values["slug"]))
        if clash is not None and clash is not existing:
            errors["slug"] = _("Another forum already uses that address.")
    ages = []
    for key in ("age_min", "age_max"):
        text = str(values.get(key, "")).strip()
        if text and (not text.isdigit() or not 13 <= int(text) <= 120):
            errors[key] = _("Type an age from 13 to 120, or leave it empty.")
        ages.append(int(text) if text.isdigit() else None)
    if ages[0] is not None and ages[1] is not None and ages[0] > ages[1]:
        errors["age_max"] = _("The oldest age must be the same as the youngest, or more.")
    weeks = str(values.get("outcome_every_weeks", "")).strip()
    if not weeks.isdigit() or not MIN_OUTCOME_WEEKS <= int(weeks) <= MAX_OUTCOME_WEEKS:
        errors["outcome_every_weeks"] = _("Type a number of weeks from 1 to 52.")
    if errors:
        raise AdminInputError(errors)


# The forum's own settings an admin edits (joining questions are a list, handled apart).
FORUM_FIELDS = (
    "slug",
    "name",
    "description",
    "audience",
    "visibility",
    "join_policy",
    "moderation_mode",
    "guidelines",
    "eligibility",
    "welcome_message",
)


# How often the optional wellbeing check-in comes round (app/outcomes), in weeks.
MIN_OUTCOME_WEEKS, MAX_OUTCOME_WEEKS = 1, 52


# Who may join (app/forums/eligibility.py): edited beside the forum's own settings.
ELIGIBILITY_FIELDS = ("age_min", "age_max", "eligibility_questions", "ineligible_message")


def _age(text: str) -> int | None:
    return int(text) if text.strip() else None


def apply_forum_fields(forum: Forum, values: dict[str, Any]) -> None:
    # Changed guidelines are a new version: members accept it before their next post.
    if forum.id is not None and values["guidelines"].strip() != (forum.guidelines or "").strip():
        forum.guidelines_version = (forum.guidelines_version or 1) + 1
    for field in FORUM_FIELDS:
        setattr(forum, field, values[field])
    forum.joining_questions = [
        q.strip() for q in values["joining_questions"].splitlines() if q.strip()
    ]
    forum.age_min = _age(values.get("age_min", ""))
    forum.age_max = _age(values.get("age_max", ""))
    forum.eligibility_questions = [
        q.strip() for q in values.get("eligibility_questions", "").splitlines() if q.strip()
    ]
    forum.ineligible_message = values.get("ineligible_message", "").strip()
    forum.policy.outcome_every_weeks = int(values["outcome_every_weeks"])


def archive(session: Session, forum: Forum, actor: User) -> None:
    forum.archived_at = utcnow()
    audit.record(
        session,
        actor_id=actor.id,
        action="forum.archive",
        target_type="forum",
        target_id=forum.id,
        forum_id=forum.id,
    )


def move(session: Session, forums: Sequence[Forum], forum: Forum, step: int) -> None:
    ordered = list(forums)
    index = ordered.index(forum)
    target = max(0, min(len(ordered) - 1, index + step))
    ordered.insert(target, ordered.pop(index))
    for position, f in enumerate(ordered):
        f.position = position


# ---- invites and join requests --------------------------------------------------------------


def create_invite(
    session: Session, forum: Forum, actor: User, *, note: str, max_uses: int, days: int
) -> Invite:
    invite = Invite(
        forum_id=forum.id,
        code=secrets.token_urlsafe(12),
        note=note,
        max_uses=max_uses,
        expires_at=utcnow() + timedelta(days=days),
        created_by_id=actor.id,
    )
    session.add(invite)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="invite.create",
        target_type="invite",
        target_id=invite.id,
        forum_id=forum.id,
        max_uses=max_uses,
        days=days,
    )
    return invite


def invites(session: Session, forum: Forum) -> Sequence[Invite]:
    return session.scalars(
        select(Invite).where(Invite.forum_id == forum.id).order_by(Invite.created_at.desc())
    ).all()


def usable_invite(session: Session, code: str, now: datetime | None = None) -> Invite | None:
    invite = session.scalar(select(Invite).where(Invite.code == code))
    if invite is None or invite.state(now or utcnow()) != "active":
        return None
    return invite


class InviteUsedUp(Exception):
    """Another person took the invite's last use first."""


def use_invite(session: Session, invite: Invite, forum: Forum, user: User, now: datetime) -> None:
    """Join the forum with the invite; a use is counted (and recorded) only for a new member."""
    existing = forums_service.membership_of(session, forum, user)
    if existing is not None and existing.status is not MembershipStatus.PENDING:
        return
    # One statement takes a use, so two people can't both take an invite's last one.
    taken = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.uses < Invite.max_uses)
        .values(uses=Invite.uses + 1)
    )
    if not getattr(taken, "rowcount", 0):
        raise InviteUsedUp()
    forums_service.join(session, forum, user, invited=True)
    session.add(InviteUse(invite_id=invite.id, user_id=user.id, used_at=now))
    session.flush()


def revoke_invite(session: Session, invite: Invite, actor: User, now: datetime) -> None:
    if invite.revoked_at is None:
        invite.revoked_at = now
        audit.record(
            session,
            actor_id=actor.id,
            action="invite.revoke",
            target_type="invite",
            target_id=invite.id,
            forum_id=invite.forum_id,
        )


def invite_uses(session: Session, forum: Forum) -> dict[int, list[InviteUse]]:
    """Who used each of the forum's invites, oldest first."""
    uses: dict[int, list[InviteUse]] = {}
    for use in session.scalars(
        select(InviteUse)
        .join(Invite, Invite.id == InviteUse.invite_id)
        .where(Invite.forum_id == forum.id)
        .order_by(InviteUse.used_at, InviteUse.id)
    ):
        uses.setdefault(use.invite_id, []).append(use)
    return uses


def join_requests(session: Session, forum: Forum) -> Sequence[Membership]:
    return session.scalars(
        select(Membership)
        .where(Membership.forum_id == forum.id, Membership.status == MembershipStatus.PENDING)
        .order_by(Membership.created_at)
    ).all()


def decide_join(
    session: Session, membership: Membership, actor: User, approve: bool, message: str
) -> None:
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.REMOVED
    forum = membership.forum
    notifications.notify(
        session,
        membership.user_id,
        "membership.decided",
        # An approved member lands on the forum with its welcome message, as one who joined.
        url=f"/f/{forum.slug}?notice=joined" if approve else f"/f/{forum.slug}",
        forum=forum.name,
        approved=approve,
        message=message,
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="membership.approve" if approve else "membership.decline",
        target_type="membership",
        target_id=membership.id,
        forum_id=forum.id,
    )


# ---- people -------------------------------------------------------------------------------


def identity_clashes(session: Session) -> Sequence[tuple[IdentityClash, User, User]]:
    """Accounts whose email or handle clashed with an older one's once compared as people see
    them (found by the identity keys migration): an admin decides what to do with each."""
    newer, older = aliased(User), aliased(User)
    rows = session.execute(
        select(IdentityClash, newer, older)
        .join(newer, newer.id == IdentityClash.user_id)
        .join(older, older.id == IdentityClash.kept_by_id)
        .where(IdentityClash.resolved_at.is_(None))
        .order_by(IdentityClash.id)
    ).all()
    return [(clash, n, o) for clash, n, o in rows]


def search_people(session: Session, query: str, limit: int = 50) -> Sequence[User]:
    stmt = select(User).where(User.deleted_at.is_(None)).order_by(User.handle).limit(limit)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(or_(User.handle_key.like(like), User.email.like(like)))
    return session.scalars(stmt).all()


def set_role(
    session: Session,
    forum: Forum,
    user: User,
    role: str,
    actor: User,
    coordinates_buddies: bool = False,
) -> None:
    membership = session.scalar(
        select(Membership).where(Membership.forum_id == forum.id, Membership.user_id == user.id)
    )
    if role == "none":
        if membership is not None:
            membership.status = MembershipStatus.REMOVED
    else:
        if membership is None:
            membership = Membership(forum_id=forum.id, user_id=user.id)
            session.add(membership)
        membership.role = MembershipRole(role)
        membership.status = MembershipStatus.ACTIVE
        membership.coordinates_buddies = coordinates_buddies
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="membership.role",
        target_type="user",
        target_id=user.id,
        forum_id=forum.id,
        role=role,
        coordinates_buddies=coordinates_buddies,
    )


def forums_only_they_cover(session: Session, user: User) -> list[Forum]:
    """Open forums whose only cover is this person: they cannot stop moderating them yet."""
    return [
        forum
        for forum in forums_service.all_forums(session)
        if forum.opened_at is not None
        and forum.archived_at is None
        and [u.id for u in forums_service.covering_moderators(session, forum)] == [user.id]
    ]


def set_site_moderator(session: Session, user: User, site_moderator: bool, actor: User) -> None:
    """Make someone a site-wide moderator (every forum's queue, and cover for every forum), or
    stop; audited. The caller checks no open forum is left without cover."""
    if user.site_moderator == site_moderator:
        return
    user.site_moderator = site_moderator
    audit.record(
        session,
        actor_id=actor.id,
        action="user.site_moderator",
        target_type="user",
        target_id=user.id,
        site_moderator=site_moderator,
    )


def set_site_admin(session: Session, user: User, is_admin: bool, actor: User) -> None:
    user.site_role = SiteRole.ADMIN if is_admin else SiteRole.MEMBER
    audit.record(
        session,
        actor_id=actor.id,
        action="user.site_role",
        target_type="user",
        target_id=user.id,
        site_role=user.site_role.value,
    )


def end_sessions(session: Session, user: User, actor: User) -> int:
    ended = accounts.end_all_sessions(session, user.id)
    audit.record(
        session,
        actor_id=actor.id,
        action="user.end_sessions",
        target_type="user",
        target_id=user.id,
        sessions=ended,
    )
    return ended


def deactivate(session: Session, user: User, actor: User) -> None:
    user.status = AccountStatus.DEACTIVATED
    accounts.end_all_sessions(session, user.id)
    audit.record(
        session, actor_id=actor.id, action="user.deactivate", target_type="user", target_id=user.id
    )


def reset_two_factor(session: Session, settings: Settings, person: User, admin: User) -> None:
    """A lost phone: the person's two-factor sign-in is turned off, every session of theirs ends
    (the lost phone may be signed in), and they are told by email. Where it is required of them,
    the sign-in gate asks them to set it up again at their next sign-in."""
    two_factor.reset_by_admin(session, person, admin)
    accounts.end_all_sessions(session, person.id)
    account_emails.two_factor_reset(
        session,
        settings,
        person.email,
        person.language,
        set_up_again=two_factor.required_for(session, settings, person),
    )


# ---- policy editor --------------------------------------------------------------------------


def parse_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_resources(text: str) -> list[dict[str, str]]:
    """One resource a line: "Name | contact | detail"."""
    resources = []
    for line in parse_lines(text):
        parts = [p.strip() for p in line.split("|")]
        resources.append(
            {
                "name": parts[0],
                "contact": parts[1] if len(parts) > 1 else "",
                "detail": parts[2] if len(parts) > 2 else "",
            }
        )
    return resources


def parse_watched_words(rows: Iterable[Sequence[str]]) -> list[tuple[str, WatchedWordAction]]:
    words = []
    for row in rows:
        if not row or not row[0].strip() or row[0].strip().lower() == "phrase":
            continue
        action = (row[1].strip().lower() if len(row) > 1 else "hold") or "hold"
        if action not in WatchedWordAction._value2member_map_:
            raise AdminInputError(
                {"watched_words": f"“{action}” is not an action: use block, hold or flag."}
            )
        words.append((row[0].strip()[:100], WatchedWordAction(action)))
    return words


def watched_words_csv(forum: Forum) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["phrase", "action"])
    for word in forum.watched_words:
        writer.writerow([word.phrase, word.action.value])
    return out.getvalue()


def replace_watched_words(
    session: Session, forum: Forum, words: list[tuple[str, WatchedWordAction]]
) -> None:
    forum.watched_words.clear()
    session.flush()
    seen = set()
    for phrase, action in words:
        if phrase.lower() in seen:
            continue
        seen.add(phrase.lower())
        forum.watched_words.append(WatchedWord(phrase=phrase, action=action))


@dataclass(frozen=True)
class Preview:
    """What the last 30 days of posts would have done under proposed thresholds."""

    posts: int
    held_now: int
    held_then: int
    newly_held: list[str]  # short excerpts, for the admin only
    newly_published: list[str]


HOLDING_LABELS = ("threat", "severe_toxicity", "identity_attack", "insult")


def _would_hold(
    scores: dict[str, float], codes: list[str], route: str, limits: dict[str, float]
) -> bool:
    """Re-judge a stored assessment under other thresholds: rules hold whatever the scores."""
    if route == "urgent":
        return True
    if any(not c.startswith(("score.", "venting.")) for c in codes):
        return True
    return any(scores.get(label, 0.0) >= limits.get(label, 1.0) for label in HOLDING_LABELS)


def preview_thresholds(session: Session, forum: Forum, thresholds: dict[str, float]) -> Preview:
    since = utcnow() - timedelta(days=30)
    rows = session.execute(
        select(
            Post.id,
            Post.body_source,
            PostAssessment.scores,
            PostAssessment.reasons,
            PostAssessment.route,
        )
        .join(Thread, Thread.id == Post.thread_id)
        .join(PostAssessment, PostAssessment.post_id == Post.id)
        .where(Thread.forum_id == forum.id, Post.created_at >= since)
        .order_by(Post.id, PostAssessment.id)
    ).all()
    latest = {row.id: row for row in rows}  # the newest assessment of each post wins
    current = dict(forum.policy.thresholds)
    held_now = held_then = 0
    newly_held, newly_published = [], []
    for row in latest.values():
        codes = [r["code"] for r in row.reasons]
        now = _would_hold(row.scores, codes, row.route, current)
        then = _would_hold(row.scores, codes, row.route, thresholds)
        held_now += now
        held_then += then
        excerpt = row.body_source[:80] + ("…" if len(row.body_source) > 80 else "")
        if then and not now:
            newly_held.append(excerpt)
        elif now and not then:
            newly_published.append(excerpt)
    return Preview(len(latest), held_now, held_then, newly_held[:5], newly_published[:5])


def staffed_times(start: str, end: str) -> tuple[str, str]:
    pattern = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
    if not (pattern.match(start) and pattern.match(end)) or start >= end:
        raise AdminInputError(
            {"staffed_from": _("Give staffed hours as HH:MM, the start before the end.")}
        )
    return start, end


def time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise AdminInputError(
            {"timezone": f"“{name}” is not a time zone, e.g. Europe/London."}
        ) from exc
    return name


def lowers_protection(current: dict[str, float], proposed: dict[str, float]) -> bool:
    """Raising thresholds towards 1.0 publishes more; ask before a big step."""
    return any(
        proposed.get(label, 0) >= 0.95 and proposed.get(label, 0) > current.get(label, 0)
        for label in moderation.LABELS
    )


# ---- audit and impact -----------------------------------------------------------------------


def audit_events(
    session: Session, *, action: str | None, forum_id: int | None, limit: int = 500
) -> Sequence[AuditEvent]:
    stmt = (
        select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    )
    if action:
        stmt = stmt.where(AuditEvent.action.like(f"{action}%"))
    if forum_id:
        stmt = stmt.where(AuditEvent.forum_id == forum_id)
    return session.scalars(stmt).all()


def audit_csv(events: Sequence[AuditEvent], handles: dict[int, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when", "actor", "action", "target_type", "target_id", "forum_id", "detail"])
    for e in events:
        writer.writerow(
            [
                e.created_at.isoformat(),
                handles.get(e.actor_id or 0, "system"),
                e.action,
                e.target_type,
                e.target_id,
                e.forum_id,
                e.detail,
            ]
        )
    return out.getvalue()


def handles_of(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.handle).where(User.id.in_(wanted)))
    return {row.id: row.handle for row in rows}


def _minutes(value: float | None) -> str:
    return f"{value:.0f} min" if value is not None else "–"


@dataclass(frozen=True)
class Impact:
    forum: Forum
    days: int
    active_members: int
    new_members: int
    threads: int
    replies: int
    answered_share: float | None
    median_first_reply_hours: float | None
    moderation_volume: int
    hold_rate: float | None
    overrides: int
    median_decision_minutes: float | None
    p90_decision_minutes: float | None
    daily_posts: list[tuple[str, int]]

    def as_rows(self) -> list[tuple[str, str]]:
        def pct(v: float | None) -> str:
            return f"{v:.0%}" if v is not None else "–"

        return [
            (_("Active members (posted)"), str(self.active_members)),
            (_("New members"), str(self.new_members)),
            (_("New threads"), str(self.threads)),
            (_("Replies"), str(self.replies)),
            (_("Threads answered by a peer"), pct(self.answered_share)),
            (
                _("Median time to a first reply"),
                f"{self.median_first_reply_hours:.1f} h"
                if self.median_first_reply_hours is not None
                else "–",
            ),
            (_("Items moderated"), str(self.moderation_volume)),
            (_("Hold rate"), pct(self.hold_rate)),
            (_("Median time to a moderator's decision"), _minutes(self.median_decision_minutes)),
            (_("90th percentile time to a decision"), _minutes(self.p90_decision_minutes)),
            (_("Decisions that overrode the machine"), str(self.overrides)),
        ]


def impact(session: Session, forum: Forum, days: int, now: datetime | None = None) -> Impact:
    """Counts only: no post text and no identities leave this function."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    posts = session.execute(
        select(Post.author_id, Post.thread_id, Post.is_opening, Post.status, Post.created_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Thread.forum_id == forum.id, Post.created_at >= since)
    ).all()
    published = [p for p in posts if p.status is PostStatus.PUBLISHED]
    openings = {p.thread_id: p for p in published if p.is_opening}
    first_reply: dict[int, datetime] = {}
    for p in sorted(published, key=lambda p: p.created_at):
        opening = openings.get(p.thread_id)
        if opening and not p.is_opening and p.author_id != opening.author_id:
            first_reply.setdefault(p.thread_id, p.created_at)
    waits = [(first_reply[t] - openings[t].created_at).total_seconds() / 3600 for t in first_reply]
    held = sum(1 for p in posts if p.status in (PostStatus.HELD, PostStatus.REJECTED))
    items = (
        session.scalar(
            select(func.count())
            .select_from(ReviewItem)
            .where(ReviewItem.forum_id == forum.id, ReviewItem.created_at >= since)
        )
        or 0
    )
    overrides = (
        session.scalar(
            select(func.count())
            .select_from(ModerationDecision)
            .join(ReviewItem, ReviewItem.id == ModerationDecision.review_item_id)
            .where(
                ReviewItem.forum_id == forum.id,
                ModerationDecision.created_at >= since,
                ModerationDecision.agreed_with_machine.is_(False),
            )
        )
        or 0
    )
    new_members = (
        session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.forum_id == forum.id,
                Membership.created_at >= since,
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
        or 0
    )
    decisions = metrics.forum_metrics(session, forum, now, days=days)
    by_day: dict[str, int] = {}
    for n in range(days - 1, -1, -1):
        by_day[(now - timedelta(days=n)).strftime("%Y-%m-%d")] = 0
    for p in published:
        key = p.created_at.strftime("%Y-%m-%d")
        if key in by_day:
            by_day[key] += 1
    return Impact(
        forum=forum,
        days=days,
        active_members=len({p.author_id for p in published}),
        new_members=new_members,
        threads=len(openings),
        replies=sum(1 for p in published if not p.is_opening),
        answered_share=len(first_reply) / len(openings) if openings else None,
        median_first_reply_hours=statistics.median(waits) if waits else None,
        moderation_volume=items,
        hold_rate=held / len(posts) if posts else None,
        overrides=overrides,
        median_decision_minutes=decisions.median_minutes,
        p90_decision_minutes=decisions.p90_minutes,
        daily_posts=list(by_day.items()),
    )


def impact_csv(rows: Sequence[Impact]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["forum", "days", *[label for label, _value in rows[0].as_rows()]] if rows else ["forum"]
    )
    for row in rows:
        writer.writerow([row.forum.name, row.days, *[value for _label, value in row.as_rows()]])
    return out.getvalue()
