"""Buddying: offering to be a buddy, asking for one, matching, the pairing's rhythm and its end.

The pair talk in a peer conversation (app/conversations), which assesses every message like a
post; this module only opens it, closes it when the pairing ends, and links it to the pairing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import User
from app.audit import service as audit
from app.buddies.models import (
    AGE_BANDS,
    DEFAULT_WEEKS,
    EXPERIENCES,
    LANGUAGES,
    BuddyFeedback,
    BuddyPairing,
    BuddyProfile,
    BuddyRequest,
    PairingStatus,
    RequestStatus,
)
from app.conversations import service as conversations
from app.conversations.models import Conversation
from app.db import utcnow, write_transaction
from app.forums.models import Forum, Membership, MembershipStatus
from app.i18n import N_
from app.notifications import service as notifications

MAX_HOPES_CHARS = 1000
MAX_CAPACITY = 5
CHECK_IN_EVERY = timedelta(weeks=1)
RECOMMEND = ("yes", "unsure", "no")


class BuddyError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---- offering and asking ------------------------------------------------------------------


def _known(values: Sequence[str], allowed: Sequence[str] | dict[str, str]) -> list[str]:
    return [v for v in dict.fromkeys(values) if v in allowed]


def profile_of(session: Session, forum: Forum, user: User) -> BuddyProfile | None:
    return session.scalar(
        select(BuddyProfile).where(
            BuddyProfile.forum_id == forum.id, BuddyProfile.user_id == user.id
        )
    )


def save_profile(
    session: Session,
    forum: Forum,
    user: User,
    *,
    experiences: Sequence[str],
    age_band: str | None,
    languages: Sequence[str],
    capacity: int,
    available: bool,
) -> BuddyProfile:
    if not 0 <= capacity <= MAX_CAPACITY:
        raise BuddyError(N_("Choose how many people you can be a buddy to at once (up to 5)."))
    profile = profile_of(session, forum, user)
    if profile is None:
        profile = BuddyProfile(forum_id=forum.id, user_id=user.id, user=user)
        session.add(profile)
    profile.experiences = _known(experiences, EXPERIENCES)
    profile.age_band = age_band if age_band in AGE_BANDS else None
    profile.languages = _known(languages, LANGUAGES) or ["en"]
    profile.capacity = capacity
    profile.available = available
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="buddy.offer",
        target_type="buddy_profile",
        target_id=profile.id,
        forum_id=forum.id,
        available=available,
    )
    return profile


def open_request(session: Session, forum: Forum, member: User) -> BuddyRequest | None:
    return session.scalar(
        select(BuddyRequest).where(
            BuddyRequest.forum_id == forum.id,
            BuddyRequest.member_id == member.id,
            BuddyRequest.status == RequestStatus.OPEN,
        )
    )


def ask_for_buddy(
    session: Session,
    forum: Forum,
    member: User,
    *,
    hopes: str,
    experiences: Sequence[str],
    age_band: str | None,
    language: str,
    via_clinician: bool,
) -> BuddyRequest:
    hopes = hopes.strip()
    if len(hopes) > MAX_HOPES_CHARS:
        raise BuddyError(N_("Keep what you hope for under 1,000 characters."))
    if open_request(session, forum, member) is not None:
        raise BuddyError(
            N_("You have already asked for a buddy here: a coordinator will be in touch.")
        )
    if active_pairing_as_member(session, forum, member) is not None:
        raise BuddyError(N_("You already have a buddy here."))
    request = BuddyRequest(
        forum_id=forum.id,
        member_id=member.id,
        member=member,
        hopes=hopes,
        experiences=_known(experiences, EXPERIENCES),
        age_band=age_band if age_band in AGE_BANDS else None,
        language=language if language in LANGUAGES else "en",
        via_clinician=via_clinician,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor_id=member.id,
        action="buddy.request",
        target_type="buddy_request",
        target_id=request.id,
        forum_id=forum.id,
        via_clinician=via_clinician,
    )
    return request


# ---- matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    profile: BuddyProfile
    load: int  # pairings under way
    shared: list[str]  # experiences in common
    fit: int

    @property
    def buddy(self) -> User:
        return self.profile.user


def _loads(session: Session, user_ids: Sequence[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = session.execute(
        select(BuddyPairing.buddy_id, func.count())
        .where(BuddyPairing.buddy_id.in_(user_ids), BuddyPairing.status == PairingStatus.ACTIVE)
        .group_by(BuddyPairing.buddy_id)
    ).all()
    return {user_id: count for user_id, count in rows}


def suggestions(session: Session, request: BuddyRequest, limit: int = 5) -> list[Suggestion]:
    """Buddies with room, best fit first: shared experiences count most, then language and age
    band; between equals, the one with fewer people already."""
    profiles = session.scalars(
        select(BuddyProfile)
        .join(
            Membership,
            (Membership.user_id == BuddyProfile.user_id)
            & (Membership.forum_id == BuddyProfile.forum_id),
        )
        .where(
            BuddyProfile.forum_id == request.forum_id,
            BuddyProfile.available.is_(True),
            BuddyProfile.user_id != request.member_id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    ).all()
    loads = _loads(session, [p.user_id for p in profiles])
    found = []
    for profile in profiles:
        load = loads.get(profile.user_id, 0)
        if load >= profile.capacity:
            continue
        shared = [e for e in request.experiences if e in profile.experiences]
        fit = 2 * len(shared)
        fit += 2 if request.language in profile.languages else 0
        fit += 1 if request.age_band and request.age_band == profile.age_band else 0
        found.append(Suggestion(profile, load, shared, fit))
    found.sort(key=lambda s: (-s.fit, s.load / max(s.profile.capacity, 1), s.profile.id))
    return found[:limit]


def open_requests(session: Session, forum: Forum) -> Sequence[BuddyRequest]:
    return session.scalars(
        select(BuddyRequest)
        .where(BuddyRequest.forum_id == forum.id, BuddyRequest.status == RequestStatus.OPEN)
        .order_by(BuddyRequest.created_at, BuddyRequest.id)
        .limit(100)
    ).all()


def request_in(session: Session, forum: Forum, request_id: int) -> BuddyRequest | None:
    request = session.get(BuddyRequest, request_id)
    if request is None or request.forum_id != forum.id:
        return None
    return request


def pair(
    session: Session,
    forum: Forum,
    request: BuddyRequest,
    buddy_id: int,
    coordinator: User,
    *,
    weeks: int = DEFAULT_WEEKS,
) -> BuddyPairing:
    """Pair the member with one of the suggested buddies; both are told."""
    if request.status is not RequestStatus.OPEN:
        raise BuddyError(N_("That request has already been dealt with."))
    if not 1 <= weeks <= 26:
        raise BuddyError(N_("Choose a length between 1 and 26 weeks."))
    chosen = next(
        (s for s in suggestions(session, request, limit=1000) if s.buddy.id == buddy_id), None
    )
    if chosen is None:
        raise BuddyError(N_("That buddy has no room for another person just now: choose another."))
    now = utcnow()
    conversation = conversations.open_between_peers(session, forum, chosen.buddy, request.member)
    pairing = BuddyPairing(
        forum_id=forum.id,
        request_id=request.id,
        buddy_id=chosen.buddy.id,
        member_id=request.member_id,
        paired_by_id=coordinator.id,
        weeks=weeks,
        started_at=now,
        ends_at=now + timedelta(weeks=weeks),
        next_check_in_at=now + CHECK_IN_EVERY,
        conversation_id=conversation.id,
    )
    session.add(pairing)
    session.flush()
    conversation.about_url = f"/buddies/{pairing.id}"
    request.status = RequestStatus.PAIRED
    session.flush()
    for user_id in (pairing.member_id, pairing.buddy_id):
        notifications.notify(
            session, user_id, "buddy.paired", url=f"/buddies/{pairing.id}", forum=forum.name
        )
    audit.record(
        session,
        actor_id=coordinator.id,
        action="buddy.pair",
        target_type="buddy_pairing",
        target_id=pairing.id,
        forum_id=forum.id,
        request_id=request.id,
        weeks=weeks,
    )
    return pairing


# ---- the pairing --------------------------------------------------------------------------


def active_pairing_as_member(session: Session, forum: Forum, member: User) -> BuddyPairing | None:
    return session.scalar(
        select(BuddyPairing).where(
            BuddyPairing.forum_id == forum.id,
            BuddyPairing.member_id == member.id,
            BuddyPairing.status == PairingStatus.ACTIVE,
        )
    )


def pairings_of(session: Session, user: User) -> Sequence[BuddyPairing]:
    return session.scalars(
        select(BuddyPairing)
        .where((BuddyPairing.member_id == user.id) | (BuddyPairing.buddy_id == user.id))
        .order_by(BuddyPairing.started_at.desc())
        .limit(50)
    ).all()


def pairing_for(session: Session, pairing_id: int, user: User) -> BuddyPairing | None:
    """A pairing only for the two people in it (no IDOR through the id)."""
    pairing = session.get(BuddyPairing, pairing_id)
    if pairing is None or not pairing.involves(user.id):
        return None
    return pairing


def end(session: Session, pairing: BuddyPairing, by: User | None) -> None:
    """End a pairing now (either person, at any time) or when its length is up (by=None): the
    conversation closes and both are asked the two feedback questions."""
    if pairing.status is PairingStatus.ENDED:
        return
    pairing.status = PairingStatus.ENDED
    pairing.ended_at = utcnow()
    pairing.ended_by_id = by.id if by else None
    pairing.next_check_in_at = None
    conversation = session.get(Conversation, pairing.conversation_id)
    if conversation is not None:
        conversations.close(session, conversation)
    for user_id in (pairing.member_id, pairing.buddy_id):
        notifications.notify(session, user_id, "buddy.ended", url=f"/buddies/{pairing.id}")
    audit.record(
        session,
        actor_id=by.id if by else None,
        action="buddy.end",
        target_type="buddy_pairing",
        target_id=pairing.id,
        forum_id=pairing.forum_id,
    )


def week_of(pairing: BuddyPairing, now: datetime) -> int:
    return min(pairing.weeks, (now - pairing.started_at) // timedelta(weeks=1) + 1)


def feedback_of(session: Session, pairing: BuddyPairing, user: User) -> BuddyFeedback | None:
    return session.scalar(
        select(BuddyFeedback).where(
            BuddyFeedback.pairing_id == pairing.id, BuddyFeedback.user_id == user.id
        )
    )


def give_feedback(
    session: Session, pairing: BuddyPairing, user: User, *, helpful: int, recommend: str
) -> BuddyFeedback:
    if pairing.status is not PairingStatus.ENDED:
        raise BuddyError(N_("You can give feedback once the pairing has ended."))
    if feedback_of(session, pairing, user) is not None:
        raise BuddyError(N_("You have already given feedback on this pairing. Thank you."))
    if not 1 <= helpful <= 5 or recommend not in RECOMMEND:
        raise BuddyError(N_("Answer both questions, please."))
    feedback = BuddyFeedback(
        pairing_id=pairing.id, user_id=user.id, helpful=helpful, recommend=recommend
    )
    session.add(feedback)
    session.flush()
    return feedback


# ---- the rhythm (the worker's sweep) ------------------------------------------------------


def _due(now: datetime) -> Select[BuddyPairing]:
    return select(BuddyPairing).where(
        BuddyPairing.status == PairingStatus.ACTIVE, BuddyPairing.next_check_in_at <= now
    )


def run_due(sessions: sessionmaker[Session], limit: int = 32) -> int:
    """Weekly check-in prompts for pairings under way, and the end of those whose length is up.
    Returns how many pairings it moved on."""
    now = utcnow()
    with sessions() as reading:  # most sweeps find nothing due: don't take the write lock for it
        if reading.scalar(_due(now).with_only_columns(BuddyPairing.id).limit(1)) is None:
            return 0
    with write_transaction(sessions) as session:
        due = session.scalars(_due(now).order_by(BuddyPairing.next_check_in_at).limit(limit)).all()
        for pairing in due:
            if pairing.ends_at <= now:
                end(session, pairing, None)
                continue
            pairing.check_ins_sent += 1
            assert pairing.next_check_in_at is not None
            pairing.next_check_in_at = min(
                pairing.next_check_in_at + CHECK_IN_EVERY, pairing.ends_at
            )
            for user_id in (pairing.member_id, pairing.buddy_id):
                notifications.notify(
                    session,
                    user_id,
                    "buddy.check_in",
                    url=f"/buddies/{pairing.id}",
                    week=week_of(pairing, now),
                )
        return len(due)


# ---- the member's data export -------------------------------------------------------------


def for_export(session: Session, user: User) -> dict[str, list[dict[str, object]]]:
    """The member's buddy requests, pairings (as either person), profiles and feedback."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    forum_names = dict(session.execute(select(Forum.id, Forum.name)).all())
    requests = session.scalars(
        select(BuddyRequest).where(BuddyRequest.member_id == user.id).order_by(BuddyRequest.id)
    ).all()
    pairings = session.scalars(
        select(BuddyPairing)
        .where((BuddyPairing.member_id == user.id) | (BuddyPairing.buddy_id == user.id))
        .order_by(BuddyPairing.id)
    ).all()
    profiles = session.scalars(
        select(BuddyProfile).where(BuddyProfile.user_id == user.id).order_by(BuddyProfile.id)
    ).all()
    feedback = {
        f.pairing_id: f
        for f in session.scalars(select(BuddyFeedback).where(BuddyFeedback.user_id == user.id))
    }
    return {
        "requests": [
            {
                "forum": forum_names.get(r.forum_id),
                "hopes": r.hopes,
                "experiences": list(r.experiences),
                "age_band": r.age_band,
                "language": r.language,
                "via_clinician": r.via_clinician,
                "status": r.status.value,
                "created_at": iso(r.created_at),
            }
            for r in requests
        ],
        "pairings": [
            {
                "forum": forum_names.get(p.forum_id),
                "you_were": "buddy" if p.buddy_id == user.id else "member",
                "with": p.other(user.id).handle,
                "weeks": p.weeks,
                "started_at": iso(p.started_at),
                "ends_at": iso(p.ends_at),
                "status": p.status.value,
                "ended_at": iso(p.ended_at),
                "your_feedback": {
                    "helpful": feedback[p.id].helpful,
                    "recommend": feedback[p.id].recommend,
                }
                if p.id in feedback
                else None,
            }
            for p in pairings
        ],
        "profiles": [
            {
                "forum": forum_names.get(p.forum_id),
                "experiences": list(p.experiences),
                "age_band": p.age_band,
                "languages": list(p.languages),
                "capacity": p.capacity,
                "available": p.available,
                "created_at": iso(p.created_at),
            }
            for p in profiles
        ],
    }


def forget_member(session: Session, user: User) -> None:
    """Account deletion: a pairing under way ends now (the other person is told, as when either
    ends it); the member's requests (their hopes, in their words), buddy profiles and feedback
    go. The pairings stay, naming a former member, as their conversation's messages do."""
    for pairing in session.scalars(
        select(BuddyPairing).where(
            (BuddyPairing.member_id == user.id) | (BuddyPairing.buddy_id == user.id),
            BuddyPairing.status == PairingStatus.ACTIVE,
        )
    ).all():
        end(session, pairing, user)
    session.flush()
    session.execute(delete(BuddyFeedback).where(BuddyFeedback.user_id == user.id))
    session.execute(delete(BuddyProfile).where(BuddyProfile.user_id == user.id))
    session.execute(delete(BuddyRequest).where(BuddyRequest.member_id == user.id))
