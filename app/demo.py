"""Demo data: three realistic forums, their people, threads with replies and a few held posts.

Every post goes through the real moderation gate, so held posts carry real reasons and scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import consent
from app.accounts import service as accounts
from app.accounts.models import SiteRole, User
from app.buddies import service as buddies
from app.cohorts import service as cohorts
from app.config import Settings
from app.conversations import service as conversations
from app.conversations.models import Conversation, MessageStatus
from app.db import make_engine, make_sessionmaker, utcnow, write_transaction
from app.forums import service as forums
from app.forums.models import (
    Forum,
    JoinPolicy,
    MembershipRole,
    ModerationMode,
    Visibility,
)
from app.goals import service as goals
from app.main import load_configured_scorer
from app.moderation_queue.gate import ModerationGate
from app.posts import service as posts
from app.posts.models import Thread

DEMO_PASSWORD = "harbour-demo-tide"
DEMO_LOGINS: list[tuple[str, str]] = [
    ("Site admin", "admin@harbour.example"),
    ("Moderator (all forums)", "moderator@harbour.example"),
    ("Trained supporter", "supporter@harbour.example"),
    ("Member (kidney forum)", "kai@harbour.example"),
    ("Member (diabetes forum)", "sam@harbour.example"),
    ("Member (heart forum)", "pat@harbour.example"),
    ("Member (no forums yet)", "newcomer@harbour.example"),
]
_HANDLES = {
    "admin@harbour.example": "harbour_admin",
    "moderator@harbour.example": "mod_rowan",
    "supporter@harbour.example": "supporter_jo",
    "kai@harbour.example": "kidneybean_kai",
    "sam@harbour.example": "sugarfree_sam",
    "pat@harbour.example": "steady_pat",
    "newcomer@harbour.example": "new_here_nia",
}


@dataclass(frozen=True)
class DemoThread:
    forum: str
    author: str
    title: str
    body: str
    replies: tuple[tuple[str, str], ...]


FORUMS: list[dict[str, Any]] = [
    {
        "slug": "kidney-young-adults",
        "name": "Young adults with kidney disease (18–30)",
        "audience": "Young adults aged 18 to 30 living with chronic kidney disease, on dialysis or after a transplant",
        "description": "Talk about dialysis, transplants, studying, work, relationships and everything in between with people your age.",
        "visibility": Visibility.MEMBERS_ONLY,
        "join_policy": JoinPolicy.APPROVAL_REQUIRED,
        "mode": ModerationMode.HOLD_FLAGGED,
    },
    {
        "slug": "type-1-diabetes",
        "name": "Living with type 1 diabetes",
        "audience": "Adults newly diagnosed with type 1 diabetes, and those a little further along",
        "description": "Carb counting, hypos, pumps and sensors, and the feelings that come with a new diagnosis.",
        "visibility": Visibility.PUBLIC_READ,
        "join_policy": JoinPolicy.OPEN,
        "mode": ModerationMode.HOLD_FLAGGED,
    },
    {
        "slug": "after-a-heart-attack",
        "name": "After a heart attack",
        "audience": "People recovering from a heart attack, and their partners",
        "description": "Cardiac rehab, getting back to work and exercise, medication, and living with the worry.",
        "visibility": Visibility.MEMBERS_ONLY,
        "join_policy": JoinPolicy.OPEN,
        "mode": ModerationMode.PRE_MODERATE,
    },
]

THREADS = [
    DemoThread(
        "kidney-young-adults",
        "kidneybean_kai",
        "Starting haemodialysis next month at 22",
        "I've just been told I'll start haemodialysis in about four weeks. I'm in my final year at uni "
        "and I'm scared about fitting three sessions a week around lectures. How did you manage?",
        (
            (
                "supporter_jo",
                "I started at 24 while working. Ask your unit about evening slots early, "
                "they fill up. Your uni's disability service can also arrange extensions. You've got this.",
            ),
            (
                "kidneybean_kai",
                "Thank you, I didn't know evening slots were a thing. I'll ask on Monday.",
            ),
        ),
    ),
    DemoThread(
        "kidney-young-adults",
        "supporter_jo",
        "Fluid limits in summer: what helps you?",
        "Hot weather and a fluid restriction is a tough mix. Share what works for you: ice chips, "
        "sour sweets, small cups?",
        (
            (
                "kidneybean_kai",
                "Frozen grapes! A few go a long way. My dietitian said they count, though.",
            ),
        ),
    ),
    DemoThread(
        "type-1-diabetes",
        "sugarfree_sam",
        "Three weeks since diagnosis and I'm exhausted",
        "Finger pricks, carb counting, night hypos. I'm 31 and it feels like a second job. "
        "Does it get easier?",
        (
            (
                "supporter_jo",
                "It really does. The first months are the hardest. Ask your diabetes team "
                "about a sensor; it changed my nights.",
            ),
            ("sugarfree_sam", "I'll ask at my clinic appointment next week. Thanks for replying."),
        ),
    ),
    DemoThread(
        "after-a-heart-attack",
        "steady_pat",
        "First week of cardiac rehab",
        "Finished my first week of cardiac rehab. The nurses were lovely but I felt nervous every "
        "time my heart rate went up. Is that normal?",
        (
            (
                "supporter_jo",
                "Very normal. Tell the rehab team how you feel; they can show you what is safe.",
            ),
        ),
    ),
]

# Posts that the gate holds, so the demo's review queues show real reasons.
HELD_REPLIES = [
    (
        "kidney-young-adults",
        "Starting haemodialysis next month at 22",
        "kidneybean_kai",
        "My NHS number is 943 476 5919 if the unit needs it, can someone pass it on?",
    ),
    (
        "type-1-diabetes",
        "Three weeks since diagnosis and I'm exhausted",
        "sugarfree_sam",
        "Honestly I don't want to be here anymore. Everyone would be better off without me.",
    ),
    (
        "type-1-diabetes",
        "Three weeks since diagnosis and I'm exhausted",
        "new_here_nia",
        "You're pathetic, stop whining, people have it way worse than you.",
    ),
]


def _user(session: Session, handle: str) -> User:
    user = accounts.get_by_handle(session, handle)
    assert user is not None
    return user


def seed(settings: Settings) -> list[tuple[str, str]] | None:
    """Seed the demo; returns the logins, or None when the database already has forums."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine, settings)
    gate = ModerationGate(sessions=sessions, scorer=load_configured_scorer(settings))
    with sessions() as session:
        if session.scalar(select(Forum.id).limit(1)) is not None:
            return None

    to_assess: list[int] = []
    with write_transaction(sessions) as session:
        for _role, email in DEMO_LOGINS:
            person = accounts.register(
                session,
                handle=_HANDLES[email],
                email=email,
                password=DEMO_PASSWORD,
                site_role=SiteRole.ADMIN if email.startswith("admin@") else SiteRole.MEMBER,
            )
            # Made-up people: their consent is taken as given so the demo opens straight away.
            consent.give(session, person, utcnow())
        admin = _user(session, "harbour_admin")
        by_slug: dict[str, Forum] = {}
        for position, forum_spec in enumerate(FORUMS):
            forum = forums.create_forum(
                session,
                slug=forum_spec["slug"],
                name=forum_spec["name"],
                audience=forum_spec["audience"],
                description=forum_spec["description"],
                visibility=forum_spec["visibility"],
                join_policy=forum_spec["join_policy"],
                moderation_mode=forum_spec["mode"],
                actor=admin,
            )
            forum.position = position
            by_slug[forum.slug] = forum
            forums.set_membership(
                session,
                forum,
                _user(session, "mod_rowan"),
                role=MembershipRole.MODERATOR,
                actor=admin,
            )
            forums.set_membership(
                session,
                forum,
                _user(session, "supporter_jo"),
                role=MembershipRole.SUPPORTER,
                actor=admin,
            )
        for slug, handle in [
            ("kidney-young-adults", "kidneybean_kai"),
            ("type-1-diabetes", "sugarfree_sam"),
            ("type-1-diabetes", "new_here_nia"),
            ("after-a-heart-attack", "steady_pat"),
        ]:
            forums.set_membership(
                session,
                by_slug[slug],
                _user(session, handle),
                role=MembershipRole.MEMBER,
                actor=admin,
            )

        for spec in THREADS:
            forum = by_slug[spec.forum]
            opening = posts.start_thread(
                session, forum, _user(session, spec.author), spec.title, spec.body
            )
            # Demo history is published directly; the gate handles what members write from now on.
            posts.publish(session, opening)
            for handle, body in spec.replies:
                reply = posts.add_reply(session, opening.thread, _user(session, handle), body)
                posts.publish(session, reply)
        for slug, title, handle, body in HELD_REPLIES:
            thread = session.scalars(
                select(Thread).where(Thread.forum_id == by_slug[slug].id, Thread.title == title)
            ).one()
            to_assess.append(posts.add_reply(session, thread, _user(session, handle), body).id)
        _seed_peer_support(session, by_slug["type-1-diabetes"])

    for post_id in to_assess:
        gate.assess_post(post_id)
    engine.dispose()
    return DEMO_LOGINS


def _seed_peer_support(session: Session, forum: Forum) -> None:
    """A buddy pairing with a few messages, a request waiting for the coordinator, a course
    group with its weekly check-in, and some goals, so a newcomer sees them at once."""
    jo, sam, nia = (_user(session, h) for h in ("supporter_jo", "sugarfree_sam", "new_here_nia"))
    coordinator = _user(session, "mod_rowan")
    buddies.save_profile(
        session,
        forum,
        jo,
        experiences=["newly_diagnosed", "pump"],
        age_band="30-49",
        languages=["en", "cy"],
        capacity=3,
        available=True,
    )
    asked = buddies.ask_for_buddy(
        session,
        forum,
        sam,
        hopes="Someone who remembers the first months on a pump.",
        experiences=["pump"],
        age_band=None,
        language="en",
        via_clinician=True,
    )
    pairing = buddies.pair(session, forum, asked, jo.id, coordinator)
    conversation = session.get(Conversation, pairing.conversation_id)
    assert conversation is not None
    for author, body in (
        (jo, "Hello Sam, I'm Jo. I started on a pump two years ago. How are the first weeks?"),
        (sam, "Hi Jo! Mostly fine, but the night-time alarms wake me up a lot."),
    ):
        # Demo history is delivered directly; the gate handles what members write from now on.
        conversations.send(
            session, conversation, author, body, as_team=False
        ).message.status = MessageStatus.DELIVERED
    buddies.ask_for_buddy(
        session,
        forum,
        nia,
        hopes="I was diagnosed last month and would like to talk to someone who has been there.",
        experiences=["newly_diagnosed"],
        age_band="18-29",
        language="en",
        via_clinician=False,
    )
    group = cohorts.create(session, forum, jo, "Type 1 course, spring 2027")
    for member in (sam, nia):
        cohorts.join(session, group, member)
    cohorts.set_rhythm(
        session, group, jo, day=3, prompt="How has your week been? One thing that went well?"
    )
    thread = cohorts.start_thread(
        session, group, jo, "Welcome, everyone", "Lovely to keep meeting after the course."
    )
    thread.message.status = MessageStatus.DELIVERED
    for user, choice, text, days in (
        (
            sam,
            goals.ShareChoice(goals.GoalSharing.BUDDY, forum, pairing_id=pairing.id),
            "Check my levels before bed every night",
            [0, 1, 2, 3, 4, 5, 6],
        ),
        (
            nia,
            goals.ShareChoice(goals.GoalSharing.COHORT, forum, cohort=group),
            "Walk for 20 minutes after lunch, three times a week",
            [0, 2, 4],
        ),
        (nia, goals.ShareChoice(goals.GoalSharing.PRIVATE, forum), "Try one new recipe", [5]),
    ):
        goals.set_goal(session, user, choice, text=text, reminder_days=days, weeks=6)
