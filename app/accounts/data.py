"""A member's own data (UK GDPR): see it, export it, take a break, mute others, delete the account."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import AccountStatus, Consent, MemberMute, RecoveryCode, User
from app.accounts.passwords import hash_password
from app.audit import service as audit
from app.buddies import service as buddies
from app.cohorts import service as cohorts
from app.config import Settings
from app.conversations import service as conversations
from app.db import utcnow
from app.forums.models import ForumPolicy, Membership, MembershipStatus
from app.goals import service as goals
from app.moderation_queue import screening
from app.moderation_queue.models import Appeal, ModerationDecision, Report, Sanction
from app.notifications.models import Notification
from app.outcomes import service as outcomes
from app.pictures import service as pictures
from app.posts import service as posts
from app.posts.models import Post, PostEdit, PostStatus, Thread


def my_posts(session: Session, user: User) -> Sequence[Any]:
    return session.execute(
        select(Post, Thread)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == user.id)
        .order_by(Post.created_at.desc())
    ).all()


def take_a_break(user: User, days: int) -> None:
    user.break_until = utcnow() + timedelta(days=days)


def end_break(user: User) -> None:
    user.break_until = None


def on_break(user: User) -> bool:
    return user.break_until is not None and user.break_until > utcnow()


def mute(session: Session, user: User, other: User) -> None:
    if other.id == user.id or muted_ids(session, user.id) & {other.id}:
        return
    session.add(MemberMute(user_id=user.id, muted_user_id=other.id))


def unmute(session: Session, user: User, other_id: int) -> None:
    session.execute(
        delete(MemberMute).where(
            MemberMute.user_id == user.id, MemberMute.muted_user_id == other_id
        )
    )


def muted_ids(session: Session, user_id: int) -> set[int]:
    return set(
        session.scalars(select(MemberMute.muted_user_id).where(MemberMute.user_id == user_id))
    )


def muted_members(session: Session, user: User) -> Sequence[User]:
    return session.scalars(
        select(User)
        .join(MemberMute, MemberMute.muted_user_id == User.id)
        .where(MemberMute.user_id == user.id)
        .order_by(User.handle)
    ).all()


def export(session: Session, user: User, settings: Settings) -> dict[str, Any]:
    """Everything Harbour holds about the member, in one document (their pictures included)."""

    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    memberships = session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    sanctions = session.scalars(select(Sanction).where(Sanction.user_id == user.id)).all()
    reports = session.scalars(select(Report).where(Report.reporter_id == user.id)).all()
    notes = session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    own_posts = my_posts(session, user)
    own_pictures = pictures.for_posts(session, [post.id for post, _thread in own_posts])
    edits = session.scalars(
        select(PostEdit).join(Post, Post.id == PostEdit.post_id).where(Post.author_id == user.id)
    ).all()
    # Decisions about the member's posts: what was done and why (never who decided: moderators
    # are volunteers, and the team answers as one).
    decisions = session.execute(
        select(ModerationDecision, Post)
        .join(Post, Post.id == ModerationDecision.post_id)
        .where(Post.author_id == user.id)
        .order_by(ModerationDecision.created_at, ModerationDecision.id)
    ).all()
    appeals = session.scalars(
        select(Appeal)
        .join(Sanction, Sanction.id == Appeal.sanction_id)
        .where(Sanction.user_id == user.id)
        .order_by(Appeal.created_at)
    ).all()
    consents = session.scalars(
        select(Consent).where(Consent.user_id == user.id).order_by(Consent.given_at, Consent.id)
    ).all()
    return {
        "account": {
            "handle": user.handle,
            "email": user.email,
            "created_at": iso(user.created_at),
            "site_role": user.site_role.value,
            "break_until": iso(user.break_until),
            "two_factor_sign_in": user.has_two_factor,
        },
        "consents": [
            {
                "privacy_notice_version": c.notice_version,
                "given_at": iso(c.given_at),
                "withdrawn_at": iso(c.withdrawn_at),
            }
            for c in consents
        ],
        "moderation_decisions": [
            {
                "post_id": post.id,
                "thread": post.thread.title,
                "action": decision.action.value,
                "reason": decision.reason,
                "decided_at": iso(decision.created_at),
            }
            for decision, post in decisions
        ],
        "appeals": [
            {
                "sanction_id": a.sanction_id,
                "text": a.body,
                "sent_at": iso(a.created_at),
                "status": a.status.value,
                "response": a.response,
                "decided_at": iso(a.decided_at),
            }
            for a in appeals
        ],
        "memberships": [
            {
                "forum": m.forum.name,
                "role": m.role.value,
                "status": m.status.value,
                "joined_at": iso(m.created_at),
            }
            for m in memberships
        ],
        "posts": [
            {
                "thread": thread.title,
                "forum": thread.forum.name,
                "status": post.status.value,
                "created_at": iso(post.created_at),
                "text": post.body_source,
                "rejection_reason": post.rejection_reason,
                "pictures": pictures.for_export(settings, own_pictures.get(post.id, [])),
            }
            for post, thread in own_posts
        ],
        "edits": [
            {
                "post_id": e.post_id,
                "status": e.status.value,
                "text": e.body_source,
                "created_at": iso(e.created_at),
            }
            for e in edits
        ],
        "reports_made": [
            {
                "post_id": r.post_id,
                "reason": r.reason,
                "note": r.note,
                "created_at": iso(r.created_at),
                "outcome": r.outcome,
            }
            for r in reports
        ],
        "sanctions": [
            {
                "id": s.id,
                "kind": s.kind.value,
                "reason": s.reason,
                "created_at": iso(s.created_at),
                "ends_at": iso(s.ends_at),
                "lifted_at": iso(s.lifted_at),
            }
            for s in sanctions
        ],
        "notifications": [{"text": n.sentence, "created_at": iso(n.created_at)} for n in notes],
        "muted_members": [m.handle for m in muted_members(session, user)],
        # Peer support: goals and the days done, check-in answers, buddying, groups.
        "goals": goals.for_export(session, user),
        "outcome_check_ins": outcomes.for_export(session, user),
        "buddying": buddies.for_export(session, user),
        "groups": cohorts.for_export(session, user),
        "private_messages": conversations.for_export(session, user),
    }


def delete_account(session: Session, user: User, *, remove_posts: bool) -> None:
    """Delete the account. Posts stay as "Former member" or are removed, as the member chose;
    either way nothing left can identify them. Their peer support data goes with the account."""
    if remove_posts:
        kept_forums = set(
            session.scalars(
                select(ForumPolicy.forum_id).where(
                    ForumPolicy.keep_posts_of_deleted_accounts.is_(True)
                )
            )
        )
        for post in session.scalars(
            select(Post)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.author_id == user.id, Thread.forum_id.not_in(kept_forums))
        ):
            if post.status is PostStatus.PUBLISHED:
                posts.unpublish(session, post, PostStatus.REMOVED)
            else:
                post.status = PostStatus.REMOVED
            post.body_source = ""
            post.body_html = ""
    # Peer support: goals, check-in answers, buddy requests and profiles, screened words and
    # group memberships are the member's own (and much of it health data): they go. A pairing
    # under way ends; what they wrote to others stays as "Former member", like their posts.
    goals.forget_member(session, user)
    outcomes.forget_member(session, user)
    buddies.forget_member(session, user)
    cohorts.forget_member(session, user, remove_writing=remove_posts)
    screening.forget_author(session, user)
    # Pictures can identify someone: they go with the account, whichever the member chose.
    pictures.delete_for_posts(
        session, list(session.scalars(select(Post.id).where(Post.author_id == user.id)))
    )
    session.execute(
        delete(MemberMute).where(
            (MemberMute.user_id == user.id) | (MemberMute.muted_user_id == user.id)
        )
    )
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    for membership in session.scalars(select(Membership).where(Membership.user_id == user.id)):
        membership.status = MembershipStatus.REMOVED
    accounts.end_all_sessions(session, user.id)
    audit.record(
        session,
        actor_id=None,
        action="account.delete",
        target_type="user",
        target_id=user.id,
        posts_removed=remove_posts,
    )
    user.deleted_at = utcnow()
    user.status = AccountStatus.DEACTIVATED
    user.handle = f"former-member-{user.id}"
    user.handle_key = user.handle
    accounts.set_email(user, f"deleted-{user.id}@deleted.invalid")
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.break_until = None
    user.totp_secret_sealed = user.two_factor_enabled_at = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
