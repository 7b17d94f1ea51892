"""The role-by-route matrix: every route, requested as every kind of visitor, gives exactly the
access its row says, and the need the route names in app/deps.py (NEEDS) is the row's need.

The matrix is generated from the app's routes (app.main.ROUTERS): a route without a row fails the
test, with a message saying where to add one. A row says what the route needs (`Need`), how to
build its address and form for one request (fresh objects where the request changes them), and,
where the need alone does not say it, exactly who may (e.g. only the author edits a post).
A GET also must not write inside the request (app/db.py logs it; this test fails on the log).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import consent
from app.accounts import service as accounts
from app.accounts.models import PrivacyNotice, SiteRole, User
from app.cases.models import SafeguardingCase
from app.config import Settings
from app.conversations.models import Conversation, MessageStatus
from app.db import WRITE_IN_READ, utcnow
from app.deps import NEEDS, Need
from app.forums.models import Forum, JoinPolicy, Membership, MembershipRole, MembershipStatus
from app.main import ROUTERS
from app.moderation_queue import sanctions
from app.moderation_queue.models import (
    Appeal,
    DecisionAction,
    FollowUp,
    ModerationDecision,
    PostAppeal,
    ReviewItem,
    ReviewStatus,
    Sanction,
    SanctionKind,
)
from app.notifications.email import unsubscribe_token
from app.notifications.models import Notification
from app.posts.models import Post, PostStatus, Thread
from app.security import ANON_COOKIE, SESSION_COOKIE, csrf_token_for, signature
from tests.factories import (
    PASSWORD,
    ForumFactory,
    PostFactory,
    UserFactory,
    buddy_request,
    buddy_with_room,
    member_of,
)

pytestmark = pytest.mark.once  # authorisation is the same on both databases

ANON, OTHER_MEMBER, MEMBER, OTHER_MOD, MOD, ADMIN, BANNED, SUSPENDED, MUTED = ROLES = (
    "anonymous",
    "other-forum member",
    "member",
    "other-forum moderator",
    "moderator",
    "admin",
    "banned",
    "suspended",
    "muted",
)
SIGNED_IN = frozenset(ROLES) - {ANON}
ALLOWED = {
    Need.ANYONE: frozenset(ROLES),
    Need.SIGNED_IN: SIGNED_IN,
    Need.FORUM_READER: frozenset({MEMBER, MOD, ADMIN, MUTED}),
    Need.FORUM_POSTER: frozenset({MEMBER, MOD, ADMIN}),
    Need.FORUM_COORDINATOR: frozenset({MOD, ADMIN}),  # moderators coordinate; others are named
    Need.FORUM_MODERATOR: frozenset({MOD, ADMIN}),
    Need.MODERATOR: frozenset({MOD, OTHER_MOD, ADMIN}),
    Need.SITE_ADMIN: frozenset({ADMIN}),
}
IN_FORUM_MODERATORS = frozenset({MOD, ADMIN})  # an object of forum A, seen by its moderators


@dataclass
class World:
    """Forum A (members only, by approval) with one member of each kind; forum B beside it."""

    db: Session
    forum: Forum
    other: Forum
    users: dict[str, User]
    thread: Thread
    post: Post  # the member's published reply
    picture_dir: str | None = None  # where the app keeps picture files

    def held_item(self) -> ReviewItem:
        post = PostFactory(
            thread=self.thread,
            author=self.users[MEMBER],
            body_source="Held words",
            status=PostStatus.HELD,
            published_at=None,
        )
        item = ReviewItem(
            post_id=post.id, forum_id=self.forum.id, queue="held", priority=1, reason_codes=[]
        )
        self.db.add(item)
        self.db.commit()
        return item

    def own_post(self) -> Post:
        return PostFactory(thread=self.thread, author=self.users[MEMBER], body_source="Mine")

    def sanction_on(self, role: str) -> Sanction:
        """A warning on this visitor (so each may act on their own), imposed by the moderator."""
        user = self.users.get(role) or self.users[MEMBER]
        sanction = Sanction(
            user_id=user.id,
            forum_id=self.forum.id,
            kind=SanctionKind.WARNING,
            reason="Please be kind.",
            created_by_id=self.users[MOD].id,
            acknowledged_at=utcnow(),
        )
        self.db.add(sanction)
        self.db.commit()
        return sanction

    def appeal(self) -> Appeal:
        sanction = self.sanction_on(MEMBER)
        appeal = Appeal(sanction_id=sanction.id, body="Please look again.")
        self.db.add(appeal)
        self.db.commit()
        return appeal

    def notification(self) -> Notification:
        """A notification for the member, pointing at their reply."""
        return self._add(
            Notification(
                user_id=self.users[MEMBER].id,
                kind="report.outcome",
                text="Thank you for your report.",
                url=f"/posts/{self.post.id}",
            )
        )

    def _add(self, row: Any) -> Any:
        self.db.add(row)
        self.db.commit()
        return row


Build = Callable[[World, str], tuple[str, dict[str, str] | None]]


@dataclass(frozen=True)
class Row:
    need: Need
    build: Build
    # Exactly who may, where the need alone does not say (ownership, an object in forum A…).
    allowed: frozenset[str] | None = None
    # The request ends the visitor's session or account: it runs as a throwaway account.
    throwaway: bool = False

    def who_may(self) -> frozenset[str]:
        return self.allowed if self.allowed is not None else ALLOWED[self.need]


def get(path: str) -> Build:
    return lambda w, role: (path.format(w=w), None)


def post(path: str, **form: str) -> Build:
    return lambda w, role: (path.format(w=w), {k: v.format(w=w) for k, v in form.items()})


def with_item(method: str, path: str, **form: str) -> Build:
    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        item = w.held_item()
        return path.format(w=w, item=item), (form if method == "POST" else None)

    return build


def with_case(path: str, **form: str) -> Build:
    """A safeguarding record of forum A, about a held item."""

    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        item = w.held_item()
        case = w._add(
            SafeguardingCase(forum_id=w.forum.id, review_item_id=item.id, queue="safeguarding")
        )
        return path.format(case=case), (form or None)

    return build


def with_own_post(method: str, path: str, **form: str) -> Build:
    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        own = w.own_post()
        return path.format(w=w, post=own), (form if method == "POST" else None)

    return build


def with_withdrawn_post(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    """The member's post, withdrawn a moment ago, and the undo token they were given."""
    from app.posts.service import undo_withdraw_token

    own = PostFactory(thread=w.thread, author=w.users[MEMBER], status=PostStatus.WITHDRAWN)
    return f"/posts/{own.id}/restore", {"token": undo_withdraw_token(SECRET, own, utcnow())}


def with_throwaway_target(path: str, **form: str) -> Build:
    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        target = member_of(w.forum)
        return path.format(w=w, target=target), {k: v.format(w=w) for k, v in form.items()}

    return build


def own_sanction(path: str, **form: str) -> Build:
    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        return path.format(sanction=w.sanction_on(role)), form

    return build


def with_appeal(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    return f"/moderation/appeals/{w.appeal().id}", {"outcome": "uphold", "response": "Fair."}


def _decided(w: World, action: DecisionAction, status: PostStatus) -> ModerationDecision:
    """A held item of forum A that the forum's moderator has just decided."""
    item = w.held_item()
    post = w.db.get(Post, item.post_id)
    assert post is not None
    post.status = status
    item.status = (
        ReviewStatus.APPROVED if action is DecisionAction.APPROVE else ReviewStatus.REJECTED
    )
    item.decided_by_id = w.users[MOD].id
    item.decided_at = utcnow()
    return w._add(
        ModerationDecision(
            post_id=post.id,
            review_item_id=item.id,
            moderator_id=w.users[MOD].id,
            action=action,
            reason="Please be kind.",
            post_status_before="held",
        )
    )


def with_decision(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    decision = _decided(w, DecisionAction.APPROVE, PostStatus.PUBLISHED)
    return f"/moderation/decisions/{decision.id}/undo", {}


def with_rejected_post(method: str) -> Build:
    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        decision = _decided(w, DecisionAction.REJECT, PostStatus.REJECTED)
        form = {"body": "I was quoting someone."} if method == "POST" else None
        return f"/posts/{decision.post_id}/appeal", form

    return build


def with_post_appeal(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    decision = _decided(w, DecisionAction.REJECT, PostStatus.REJECTED)
    assert decision.post_id is not None
    appeal = w._add(
        PostAppeal(
            post_id=decision.post_id,
            decision_id=decision.id,
            forum_id=w.forum.id,
            body="Please look again.",
        )
    )
    return f"/moderation/post-appeals/{appeal.id}", {"outcome": "uphold"}


def with_follow_up(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    item = w.held_item()
    follow_up = w._add(
        FollowUp(
            review_item_id=item.id,
            forum_id=w.forum.id,
            member_id=w.users[MEMBER].id,
            moderator_id=w.users[MOD].id,
            due_at=utcnow(),
        )
    )
    return f"/moderation/follow-ups/{follow_up.id}/done", {}


def with_request(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    membership = w._add(
        Membership(forum_id=w.forum.id, user_id=UserFactory().id, status=MembershipStatus.PENDING)
    )
    return f"/f/{w.forum.slug}/requests/{membership.id}", {"decision": "approve"}


def unsubscribe(method: str) -> Build:
    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        user = w.users[MEMBER]
        path = f"/unsubscribe/{user.id}/{unsubscribe_token(SECRET, user.id)}"
        return path, ({"List-Unsubscribe": "One-Click"} if method == "POST" else None)

    return build


def with_picture(status: PostStatus) -> Build:
    """A picture on one of the member's posts in forum A (the file itself is in the store)."""

    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        from app.pictures.models import PostPicture
        from app.pictures.storage import DiskStore

        key = "0" * 64 + ".png"
        assert w.picture_dir
        DiskStore(Path(w.picture_dir)).put(key, b"\x89PNG")
        own = PostFactory(thread=w.thread, author=w.users[MEMBER], status=status)
        picture = w._add(
            PostPicture(
                post_id=own.id,
                storage_key=key,
                content_type="image/png",
                width=1,
                height=1,
                byte_size=1,
                alt_text="A dot",
            )
        )
        return f"/pictures/{picture.id}", None

    return build


def with_invite(method: str) -> Build:
    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        from app.admin.service import create_invite

        invite = create_invite(w.db, w.other, w.users[ADMIN], note="", max_uses=50, days=1)
        w.db.commit()
        return f"/invite/{invite.code}", ({} if method == "POST" else None)

    return build


def republish_notice(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    """The notice as it stands (the migration's version 1 where a test database kept it): a new
    version would ask every visitor of the matrix to consent again."""
    notice = consent.current_notice(w.db)
    if notice is None:
        w.db.add(PrivacyNotice(version=1, body=consent.DEFAULT_NOTICE))
        w.db.commit()
    body = notice.body if notice is not None else consent.DEFAULT_NOTICE
    return "/admin/privacy", {"body": body}


def revoke_invite(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    from app.admin.service import create_invite

    invite = create_invite(w.db, w.forum, w.users[ADMIN], note="clinic", max_uses=5, days=1)
    w.db.commit()
    return f"/admin/forums/{w.forum.slug}/invites/{invite.id}/revoke", {}


def with_team_conversation(path: str, **form: str) -> Build:
    """The member's private conversation with forum A's moderation team."""

    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        from app.conversations import service as conversations

        conversation = conversations.open_with_team(w.db, w.forum, w.users[MEMBER], w.users[MOD])
        w.db.commit()
        return path.format(conversation=conversation), (form or None)

    return build


def with_buddy_request(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    """A fresh request in forum A, and a trained supporter there with room to take it."""
    buddy = buddy_with_room(w.forum)
    request = buddy_request(w.forum, member_of(w.forum))
    return f"/f/{w.forum.slug}/buddies/requests/{request.id}/pair", {"buddy_id": str(buddy.id)}


def with_pairing(path: str, *, ended: bool = False, **form: str) -> Build:
    """The member paired with a buddy in forum A (the buddy wrote them a message)."""

    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        from app.buddies import service as buddies
        from app.conversations import service as conversations

        buddy = buddy_with_room(w.forum)
        request = buddy_request(w.forum, w.users[MEMBER])
        pairing = buddies.pair(w.db, w.forum, request, buddy.id, w.users[MOD])
        conversation = w.db.get(Conversation, pairing.conversation_id)
        sent = conversations.send(w.db, conversation, buddy, "Hello from your buddy", as_team=False)
        sent.message.status = MessageStatus.DELIVERED
        if ended:
            buddies.end(w.db, pairing, buddy)
        w.db.commit()
        return path.format(pairing=pairing, message=sent.message), (form or None)

    return build


def with_cohort(path: str, member_role: str = "participant", **form: str) -> Build:
    """A group in forum A led by a trained supporter, with the member in it (in `member_role`),
    another participant, and a thread."""

    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        from app.cohorts import service as cohorts
        from app.cohorts.models import CohortRole

        facilitator = member_of(w.forum, MembershipRole.SUPPORTER)
        cohort = cohorts.create(w.db, w.forum, facilitator, "Spring course")
        member = cohorts.join(w.db, cohort, w.users[MEMBER])
        member.role = CohortRole(member_role)
        other = cohorts.join(w.db, cohort, member_of(w.forum))
        if member.role is CohortRole.FACILITATOR:
            cohorts.make_peer_leader(w.db, cohort, facilitator, other.user_id)
        thread = cohorts.start_thread(w.db, cohort, facilitator, "Week one", "How was it?")
        w.db.commit()
        values = {k: v.format(other=other) for k, v in form.items()}
        return path.format(cohort=cohort, thread=thread.message.conversation), values or None

    return build


def with_shared_goal(path: str) -> Build:
    """The member's goal in forum A, shared with their buddy (a trained supporter there)."""

    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        from app.buddies import service as buddies
        from app.goals import service as goals

        buddy = buddy_with_room(w.forum)
        pairing = buddies.pair(
            w.db, w.forum, buddy_request(w.forum, w.users[MEMBER]), buddy.id, w.users[MOD]
        )
        choice = goals.ShareChoice(goals.GoalSharing.BUDDY, w.forum, pairing_id=pairing.id)
        goal = goals.set_goal(w.db, w.users[MEMBER], choice, text="Swim", reminder_days=[], weeks=2)
        w.db.commit()
        return path.format(goal=goal), {}

    return build


def with_other_device(path: str) -> Build:
    """Another signed-in device of this visitor (the member's, for an anonymous visitor)."""

    def build(w: World, role: str) -> tuple[str, dict[str, str] | None]:
        user = w.users.get(role) or w.users[MEMBER]
        other = accounts.start_session(w.db, user, Settings(secret_key=SECRET))
        w.db.commit()
        return path.format(session=other.record), {}

    return build


def two_factor_setup(w: World, role: str) -> tuple[str, dict[str, str] | None]:
    """The set-up form as the page gives it to this visitor (a wrong code: nothing turns on)."""
    from app.accounts.two_factor import SETUP_PURPOSE

    user = w.users.get(role) or w.users[MEMBER]
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    proof = signature(SECRET, SETUP_PURPOSE, user.id, secret)
    return "/account/two-factor", {"secret": secret, "proof": proof, "code": "000000"}


def sign_in_form() -> tuple[str, dict[str, str] | None]:
    return "/login", {"email": UserFactory().email, "password": PASSWORD}


FORUM_A = "/f/{w.forum.slug}"
THREAD = FORUM_A + "/t/{w.thread.id}"
REPLY = "A reply that says thank you for sharing this."

# One row per route. A new route: add its row here (what it needs, how to call it).
ROWS: dict[str, Row] = {
    "GET /healthz": Row(Need.ANYONE, get("/healthz")),
    "GET /register": Row(Need.ANYONE, get("/register")),
    "POST /register": Row(
        Need.ANYONE, post("/register", handle="x", email="not-an-email", password="short")
    ),
    "GET /login": Row(Need.ANYONE, get("/login")),
    "POST /login": Row(Need.ANYONE, lambda w, role: sign_in_form(), throwaway=True),
    "POST /logout": Row(Need.SIGNED_IN, post("/logout"), throwaway=True),
    "POST /logout-everywhere": Row(Need.SIGNED_IN, post("/logout-everywhere"), throwaway=True),
    "GET /account": Row(Need.SIGNED_IN, get("/account")),
    "GET /account/sanctions": Row(Need.SIGNED_IN, get("/account/sanctions")),
    "POST /account/sanctions/{sanction_id}/acknowledge": Row(
        Need.SIGNED_IN, own_sanction("/account/sanctions/{sanction.id}/acknowledge")
    ),
    "POST /account/sanctions/{sanction_id}/appeal": Row(
        Need.SIGNED_IN, own_sanction("/account/sanctions/{sanction.id}/appeal", body="Sorry.")
    ),
    "POST /account/closed/appeal": Row(
        Need.ANYONE,  # proven by a signed form, not a session: a forged one is refused
        post(
            "/account/closed/appeal",
            user_id="1",
            sanction_id="1",
            expires="1",
            token="forged",
            body="Please.",
        ),
        allowed=frozenset(),
    ),
    "GET /account/posts": Row(Need.SIGNED_IN, get("/account/posts")),
    "POST /account/break": Row(Need.SIGNED_IN, post("/account/break", days="1"), throwaway=True),
    "POST /account/break/end": Row(Need.SIGNED_IN, post("/account/break/end")),
    "POST /members/{handle}/mute": Row(
        Need.SIGNED_IN, post("/members/{w.users[moderator].handle}/mute"), throwaway=True
    ),
    "POST /account/muted/{user_id}/unmute": Row(
        Need.SIGNED_IN, post("/account/muted/{w.users[moderator].id}/unmute")
    ),
    "GET /account/export.json": Row(Need.SIGNED_IN, get("/account/export.json")),
    "GET /account/export.html": Row(Need.SIGNED_IN, get("/account/export.html")),
    "GET /account/delete": Row(Need.SIGNED_IN, get("/account/delete")),
    "POST /account/delete": Row(
        Need.SIGNED_IN,
        post("/account/delete", posts="keep", confirm="delete my account"),
        throwaway=True,
    ),
    "GET /members/{handle}": Row(Need.SIGNED_IN, get("/members/{w.users[member].handle}")),
    "POST /account/profile": Row(Need.SIGNED_IN, post("/account/profile", bio="Hi.")),
    "POST /language": Row(Need.ANYONE, post("/language", language="en")),
    "GET /": Row(Need.ANYONE, get("/")),
    "GET /f/{slug}": Row(Need.ANYONE, get(FORUM_A)),
    "POST /f/{slug}/join": Row(
        Need.SIGNED_IN,
        post(FORUM_A + "/join", answers="Living with it for a year."),
        allowed=SIGNED_IN - {BANNED},  # a banned member can't rejoin
    ),
    "GET /f/{slug}/new": Row(Need.FORUM_POSTER, get(FORUM_A + "/new")),
    "POST /f/{slug}/new": Row(Need.FORUM_POSTER, post(FORUM_A + "/new", title="Hi", body="")),
    "POST /f/{slug}/draft-check": Row(
        Need.FORUM_POSTER, post(FORUM_A + "/draft-check", body="Hello all")
    ),
    "GET /f/{slug}/t/{thread_id}": Row(Need.FORUM_READER, get(THREAD)),
    "POST /f/{slug}/t/{thread_id}/reply": Row(Need.FORUM_POSTER, post(THREAD + "/reply", body="")),
    "GET /posts/{post_id}": Row(
        Need.ANYONE,  # through the post's forum: readers of forum A only
        get("/posts/{w.post.id}"),
        allowed=ALLOWED[Need.FORUM_READER],
    ),
    "POST /posts/{post_id}/report": Row(
        Need.SIGNED_IN,
        post("/posts/{w.post.id}/report", reason="other"),
        allowed=ALLOWED[Need.FORUM_READER],  # (the author is told to withdraw it instead: 422)
    ),
    "GET /posts/{post_id}/edit": Row(
        Need.SIGNED_IN, with_own_post("GET", "/posts/{post.id}/edit"), allowed=frozenset({MEMBER})
    ),
    "POST /posts/{post_id}/edit": Row(
        Need.SIGNED_IN,
        with_own_post("POST", "/posts/{post.id}/edit", body="Changed."),
        allowed=frozenset({MEMBER}),
    ),
    "POST /posts/{post_id}/withdraw": Row(
        Need.SIGNED_IN,
        with_own_post("POST", "/posts/{post.id}/withdraw"),
        allowed=frozenset({MEMBER}),
    ),
    "POST /posts/{post_id}/restore": Row(
        Need.SIGNED_IN, with_withdrawn_post, allowed=frozenset({MEMBER})
    ),
    "POST /posts/{post_id}/react": Row(
        Need.SIGNED_IN,
        post("/posts/{w.post.id}/react", kind="thanks"),
        allowed=ALLOWED[Need.FORUM_POSTER],
    ),
    "GET /moderation": Row(Need.MODERATOR, get("/moderation")),
    "GET /moderation/items/{item_id}": Row(
        Need.MODERATOR, with_item("GET", "/moderation/items/{item.id}"), IN_FORUM_MODERATORS
    ),
    "POST /moderation/items/{item_id}/claim": Row(
        Need.MODERATOR, with_item("POST", "/moderation/items/{item.id}/claim"), IN_FORUM_MODERATORS
    ),
    "POST /moderation/items/{item_id}/decide": Row(
        Need.MODERATOR,
        with_item("POST", "/moderation/items/{item.id}/decide", action="approve"),
        IN_FORUM_MODERATORS,
    ),
    "POST /moderation/bulk": Row(
        # Items of forum A only count for its moderators: for others there is nothing to do.
        Need.MODERATOR,
        with_item("POST", "/moderation/bulk", action="approve", item_ids="{item.id}"),
    ),
    "POST /moderation/items/{item_id}/notes": Row(
        Need.MODERATOR,
        with_item("POST", "/moderation/items/{item.id}/notes", body="Checked in with them."),
        IN_FORUM_MODERATORS,
    ),
    "GET /moderation/items/{item_id}/escalate": Row(
        Need.MODERATOR,
        with_item("GET", "/moderation/items/{item.id}/escalate"),
        IN_FORUM_MODERATORS,
    ),
    "POST /moderation/items/{item_id}/escalate": Row(
        Need.MODERATOR,
        with_item(
            "POST", "/moderation/items/{item.id}/escalate", queue="safeguarding", reason="At risk."
        ),
        IN_FORUM_MODERATORS,
    ),
    "GET /safeguarding": Row(Need.MODERATOR, get("/safeguarding")),
    # Safeguarding records: the forum's safeguarding leads and site admins only (here: the admin).
    "GET /safeguarding/cases/{case_id}": Row(
        Need.MODERATOR, with_case("/safeguarding/cases/{case.id}"), frozenset({ADMIN})
    ),
    "POST /safeguarding/cases/{case_id}/entries": Row(
        Need.MODERATOR,
        with_case("/safeguarding/cases/{case.id}/entries", kind="action", text="Phoned them."),
        frozenset({ADMIN}),
    ),
    "POST /safeguarding/cases/{case_id}/outcome": Row(
        Need.MODERATOR,
        with_case("/safeguarding/cases/{case.id}/outcome", outcome="Safe."),
        frozenset({ADMIN}),
    ),
    "GET /f/{slug}/moderation": Row(Need.ANYONE, get(FORUM_A + "/moderation")),  # a redirect
    "GET /moderation/members/{user_id}": Row(
        Need.MODERATOR,
        get("/moderation/members/{w.users[member].id}?forum={w.forum.slug}"),
        IN_FORUM_MODERATORS,
    ),
    "POST /moderation/members/{user_id}/sanctions": Row(
        Need.MODERATOR,
        with_throwaway_target(
            "/moderation/members/{target.id}/sanctions",
            forum="{w.forum.slug}",
            kind="warning",
            reason="Please be kind.",
        ),
        IN_FORUM_MODERATORS,
    ),
    "GET /moderation/appeals": Row(Need.MODERATOR, get("/moderation/appeals")),
    "POST /moderation/appeals/{appeal_id}": Row(
        # Never the moderator who imposed it: here that is the forum's moderator.
        Need.MODERATOR,
        with_appeal,
        frozenset({ADMIN}),
    ),
    "GET /moderation/metrics": Row(Need.MODERATOR, get("/moderation/metrics")),
    "GET /moderation/history": Row(Need.MODERATOR, get("/moderation/history")),
    "GET /notifications": Row(Need.SIGNED_IN, get("/notifications")),
    "GET /notifications/{notification_id}": Row(
        Need.SIGNED_IN,
        lambda w, role: (f"/notifications/{w.notification().id}", None),
        allowed=frozenset({MEMBER}),  # only the member it was for
    ),
    "POST /notifications/read": Row(Need.SIGNED_IN, post("/notifications/read")),
    "POST /f/{slug}/t/{thread_id}/watch": Row(Need.FORUM_READER, post(THREAD + "/watch")),
    "POST /f/{slug}/watch": Row(Need.FORUM_READER, post(FORUM_A + "/watch")),
    "GET /f/{slug}/unanswered": Row(Need.FORUM_READER, get(FORUM_A + "/unanswered")),
    "GET /supporters": Row(
        Need.SIGNED_IN, get("/supporters"), allowed=frozenset({MOD, OTHER_MOD, ADMIN})
    ),
    # Proven by the signed token in the address, not a session: whoever holds the email's link.
    "GET /unsubscribe/{user_id}/{token}": Row(Need.ANYONE, unsubscribe("GET")),
    "POST /unsubscribe/{user_id}/{token}": Row(Need.ANYONE, unsubscribe("POST")),
    "GET /pictures/{picture_id}": Row(
        Need.ANYONE,  # through the post: its forum's readers once published
        with_picture(PostStatus.PUBLISHED),
        allowed=ALLOWED[Need.FORUM_READER],
    ),
    "POST /account/email": Row(Need.SIGNED_IN, post("/account/email", preference="daily")),
    "GET /admin": Row(Need.SITE_ADMIN, get("/admin")),
    "GET /admin/forums/new": Row(Need.SITE_ADMIN, get("/admin/forums/new")),
    "GET /admin/forums/{slug}": Row(Need.SITE_ADMIN, get("/admin/forums/{w.forum.slug}")),
    "POST /admin/forums/new": Row(Need.SITE_ADMIN, post("/admin/forums/new", address="")),
    "POST /admin/forums/{slug}": Row(
        Need.SITE_ADMIN, post("/admin/forums/{w.forum.slug}", address="")
    ),
    "POST /admin/forums/{slug}/archive": Row(
        Need.SITE_ADMIN,
        post("/admin/forums/{w.other.slug}/archive"),  # asks to confirm
    ),
    "POST /admin/forums/{slug}/move": Row(
        Need.SITE_ADMIN, post("/admin/forums/{w.other.slug}/move", step="0")
    ),
    "GET /admin/forums/{slug}/policy": Row(
        Need.SITE_ADMIN, get("/admin/forums/{w.forum.slug}/policy")
    ),
    "POST /admin/forums/{slug}/policy": Row(
        Need.SITE_ADMIN, post("/admin/forums/{w.forum.slug}/policy", intent="preview")
    ),
    "GET /admin/forums/{slug}/watched-words.csv": Row(
        Need.SITE_ADMIN, get("/admin/forums/{w.forum.slug}/watched-words.csv")
    ),
    "GET /admin/forums/{slug}/safeguarding": Row(
        Need.SITE_ADMIN, get("/admin/forums/{w.forum.slug}/safeguarding")
    ),
    "POST /admin/forums/{slug}/safeguarding/roles": Row(
        Need.SITE_ADMIN, post("/admin/forums/{w.forum.slug}/safeguarding/roles")
    ),
    "POST /admin/forums/{slug}/safeguarding/alerts": Row(
        Need.SITE_ADMIN,
        post("/admin/forums/{w.forum.slug}/safeguarding/alerts", escalate_after_minutes="5"),
    ),
    "POST /admin/forums/{slug}/safeguarding/test": Row(
        Need.SITE_ADMIN, post("/admin/forums/{w.forum.slug}/safeguarding/test")
    ),
    "GET /admin/forums/{slug}/invites": Row(
        Need.SITE_ADMIN, get("/admin/forums/{w.forum.slug}/invites")
    ),
    "POST /admin/forums/{slug}/invites": Row(
        Need.SITE_ADMIN, post("/admin/forums/{w.forum.slug}/invites", note="clinic")
    ),
    # Open to anyone with the link: a visitor without an account is shown how to sign up.
    "GET /invite/{code}": Row(Need.ANYONE, with_invite("GET")),
    "POST /invite/{code}": Row(Need.SIGNED_IN, with_invite("POST"), throwaway=True),
    "POST /admin/forums/{slug}/invites/{invite_id}/revoke": Row(Need.SITE_ADMIN, revoke_invite),
    "GET /f/{slug}/requests": Row(Need.FORUM_MODERATOR, get(FORUM_A + "/requests")),
    # The neutral link in a join-request email: to forum A's requests, for its moderators.
    "GET /moderation/join-requests/{forum_id}": Row(
        Need.MODERATOR, get("/moderation/join-requests/{w.forum.id}"), IN_FORUM_MODERATORS
    ),
    "GET /admin/forums/{slug}/message-templates": Row(
        Need.SITE_ADMIN, get("/admin/forums/{w.forum.slug}/message-templates")
    ),
    "POST /admin/forums/{slug}/message-templates": Row(
        Need.SITE_ADMIN,
        post("/admin/forums/{w.forum.slug}/message-templates", title="Hello", body="Hi there."),
    ),
    "POST /admin/forums/{slug}/open": Row(
        Need.SITE_ADMIN, post("/admin/forums/{w.forum.slug}/open")
    ),
    "POST /f/{slug}/requests/{membership_id}": Row(Need.FORUM_MODERATOR, with_request),
    "GET /admin/people": Row(Need.SITE_ADMIN, get("/admin/people")),
    "GET /admin/people/{user_id}": Row(Need.SITE_ADMIN, get("/admin/people/{w.users[member].id}")),
    "POST /admin/people/{user_id}/role": Row(
        Need.SITE_ADMIN,
        with_throwaway_target(
            "/admin/people/{target.id}/role", forum="{w.forum.slug}", role="member"
        ),
    ),
    "POST /admin/people/{user_id}/site-admin": Row(
        Need.SITE_ADMIN, with_throwaway_target("/admin/people/{target.id}/site-admin")
    ),
    "POST /admin/people/{user_id}/site-moderator": Row(
        Need.SITE_ADMIN,
        with_throwaway_target("/admin/people/{target.id}/site-moderator", site_moderator="true"),
    ),
    "POST /admin/people/{user_id}/end-sessions": Row(
        Need.SITE_ADMIN, with_throwaway_target("/admin/people/{target.id}/end-sessions")
    ),
    "POST /admin/people/{user_id}/deactivate": Row(
        Need.SITE_ADMIN, with_throwaway_target("/admin/people/{target.id}/deactivate")
    ),
    # Someone without two-factor sign-in: there is nothing to reset, the admin is sent back.
    "GET /admin/people/{user_id}/two-factor/reset": Row(
        Need.SITE_ADMIN, with_throwaway_target("/admin/people/{target.id}/two-factor/reset")
    ),
    "POST /admin/people/{user_id}/two-factor/reset": Row(
        Need.SITE_ADMIN,
        with_throwaway_target("/admin/people/{target.id}/two-factor/reset", confirmed="true"),
    ),
    "GET /admin/security": Row(Need.SITE_ADMIN, get("/admin/security")),
    "POST /admin/security": Row(Need.SITE_ADMIN, post("/admin/security", staff_two_factor="false")),
    "GET /admin/audit": Row(Need.SITE_ADMIN, get("/admin/audit")),
    "GET /admin/audit.csv": Row(Need.SITE_ADMIN, get("/admin/audit.csv")),
    "GET /admin/impact": Row(Need.SITE_ADMIN, get("/admin/impact")),
    "GET /admin/impact.csv": Row(Need.SITE_ADMIN, get("/admin/impact.csv")),
    "GET /search": Row(Need.ANYONE, get("/search?q=hello")),
    "GET /password/forgot": Row(Need.ANYONE, get("/password/forgot")),
    "POST /password/forgot": Row(Need.ANYONE, post("/password/forgot", email="no@example.org")),
    # An unknown token: the same "this link has expired" page (410) for everyone.
    "GET /password/reset/{token}": Row(Need.ANYONE, get("/password/reset/not-a-token")),
    "POST /password/reset/{token}": Row(
        Need.ANYONE, post("/password/reset/not-a-token", password="tidal-lantern-88-mosaic")
    ),
    "GET /verify-email/{token}": Row(Need.ANYONE, get("/verify-email/not-a-token")),
    "POST /verify-email/{token}": Row(Need.ANYONE, post("/verify-email/not-a-token")),
    "POST /account/verify-email/resend": Row(Need.SIGNED_IN, post("/account/verify-email/resend")),
    "GET /account/confirm": Row(Need.SIGNED_IN, get("/account/confirm")),
    "POST /account/confirm": Row(Need.SIGNED_IN, post("/account/confirm", password=PASSWORD)),
    "GET /account/email-address": Row(Need.SIGNED_IN, get("/account/email-address")),
    "POST /account/email-address": Row(
        Need.SIGNED_IN, post("/account/email-address", email="new.address@example.org")
    ),
    "GET /account/password": Row(Need.SIGNED_IN, get("/account/password")),
    "POST /account/password": Row(
        Need.SIGNED_IN,
        post("/account/password", password="tidal-lantern-88-mosaic"),
        throwaway=True,
    ),
    "GET /account/sessions": Row(Need.SIGNED_IN, get("/account/sessions")),
    # The second step of signing in is proven by its signed form: a forged one is refused.
    "POST /login/two-factor": Row(
        Need.ANYONE,
        post("/login/two-factor", user_id="1", expires="1", token="forged", code="123456"),
        allowed=frozenset(),
    ),
    "GET /account/two-factor": Row(Need.SIGNED_IN, get("/account/two-factor")),
    "GET /privacy": Row(Need.ANYONE, get("/privacy")),
    "GET /account/consent": Row(Need.SIGNED_IN, get("/account/consent")),
    "POST /account/consent": Row(Need.SIGNED_IN, post("/account/consent", agree="yes")),
    "GET /account/consent/withdraw": Row(Need.SIGNED_IN, get("/account/consent/withdraw")),
    "POST /account/consent/withdraw": Row(
        Need.SIGNED_IN,
        post("/account/consent/withdraw", posts="keep", confirm="delete my account"),
        throwaway=True,
    ),
    "GET /admin/privacy": Row(Need.SITE_ADMIN, get("/admin/privacy")),
    "POST /admin/privacy": Row(Need.SITE_ADMIN, republish_notice),
    "GET /f/{slug}/guidelines": Row(Need.SIGNED_IN, get(FORUM_A + "/guidelines")),
    # Accepting needs a membership of the forum (any status; the join row above gave every
    # visitor one); it changes nothing but the visitor's own membership.
    "POST /f/{slug}/guidelines": Row(
        Need.SIGNED_IN, post(FORUM_A + "/guidelines", accept_guidelines="yes")
    ),
    "POST /account/two-factor": Row(Need.SIGNED_IN, two_factor_setup),
    "POST /account/two-factor/recovery-codes": Row(
        Need.SIGNED_IN, post("/account/two-factor/recovery-codes")
    ),
    "POST /account/two-factor/off": Row(Need.SIGNED_IN, post("/account/two-factor/off")),
    "POST /account/sessions/{session_id}/end": Row(
        Need.SIGNED_IN, with_other_device("/account/sessions/{session.id}/end")
    ),
    "POST /account/sessions/end-others": Row(Need.SIGNED_IN, post("/account/sessions/end-others")),
    "GET /messages": Row(Need.SIGNED_IN, get("/messages")),
    "GET /messages/{conversation_id}": Row(
        Need.SIGNED_IN,
        with_team_conversation("/messages/{conversation.id}"),
        allowed=frozenset({MEMBER}),  # only the member in it; the team reads it on its own page
    ),
    "POST /messages/{conversation_id}": Row(
        Need.SIGNED_IN,
        with_team_conversation("/messages/{conversation.id}", body="Thank you for asking."),
        allowed=frozenset({MEMBER}),
    ),
    "GET /moderation/conversations": Row(Need.MODERATOR, get("/moderation/conversations")),
    "GET /moderation/conversations/{conversation_id}": Row(
        Need.MODERATOR,
        with_team_conversation("/moderation/conversations/{conversation.id}"),
        IN_FORUM_MODERATORS,
    ),
    "POST /moderation/conversations/{conversation_id}": Row(
        Need.MODERATOR,
        with_team_conversation(
            "/moderation/conversations/{conversation.id}", body="We are here if you need us."
        ),
        IN_FORUM_MODERATORS,
    ),
    "GET /f/{slug}/buddies": Row(Need.FORUM_READER, get(FORUM_A + "/buddies")),
    "POST /f/{slug}/buddies/request": Row(
        Need.FORUM_POSTER, post(FORUM_A + "/buddies/request", hopes="Someone to talk to.")
    ),
    "GET /f/{slug}/buddies/offer": Row(
        Need.FORUM_POSTER,
        get(FORUM_A + "/buddies/offer"),
        frozenset({MOD}),  # trained members
    ),
    "POST /f/{slug}/buddies/offer": Row(
        Need.FORUM_POSTER,
        post(FORUM_A + "/buddies/offer", capacity="1", available="true"),
        frozenset({MOD}),
    ),
    "GET /f/{slug}/buddies/coordinate": Row(
        Need.FORUM_COORDINATOR, get(FORUM_A + "/buddies/coordinate")
    ),
    "POST /f/{slug}/buddies/requests/{request_id}/pair": Row(
        Need.FORUM_COORDINATOR, with_buddy_request
    ),
    "GET /buddies/{pairing_id}": Row(
        Need.SIGNED_IN, with_pairing("/buddies/{pairing.id}"), frozenset({MEMBER})
    ),
    "POST /buddies/{pairing_id}/end": Row(
        Need.SIGNED_IN, with_pairing("/buddies/{pairing.id}/end"), frozenset({MEMBER})
    ),
    "POST /buddies/{pairing_id}/feedback": Row(
        Need.SIGNED_IN,
        with_pairing("/buddies/{pairing.id}/feedback", ended=True, helpful="4", recommend="yes"),
        frozenset({MEMBER}),
    ),
    "POST /messages/{conversation_id}/messages/{message_id}/report": Row(
        Need.SIGNED_IN,
        with_pairing("/messages/{pairing.conversation_id}/messages/{message.id}/report"),
        frozenset({MEMBER}),  # only the person the message was written to
    ),
    "GET /f/{slug}/cohorts": Row(Need.FORUM_READER, get(FORUM_A + "/cohorts")),
    "POST /f/{slug}/cohorts": Row(
        Need.FORUM_POSTER, post(FORUM_A + "/cohorts", name="Spring course"), frozenset({MOD})
    ),
    "GET /cohorts/{cohort_id}": Row(
        Need.SIGNED_IN, with_cohort("/cohorts/{cohort.id}"), frozenset({MEMBER, MOD, ADMIN})
    ),
    "POST /cohorts/{cohort_id}/threads": Row(
        Need.SIGNED_IN,
        with_cohort("/cohorts/{cohort.id}/threads", title="Hello", body="Hello all"),
        frozenset({MEMBER}),  # the forum's moderators read the group; its members write
    ),
    "GET /cohorts/{cohort_id}/threads/{thread_id}": Row(
        Need.SIGNED_IN,
        with_cohort("/cohorts/{cohort.id}/threads/{thread.id}"),
        frozenset({MEMBER, MOD, ADMIN}),
    ),
    "POST /cohorts/{cohort_id}/threads/{thread_id}": Row(
        Need.SIGNED_IN,
        with_cohort("/cohorts/{cohort.id}/threads/{thread.id}", body="It went well."),
        frozenset({MEMBER}),
    ),
    "POST /cohorts/{cohort_id}/rhythm": Row(
        Need.SIGNED_IN,
        with_cohort("/cohorts/{cohort.id}/rhythm", "peer_leader", day="3", prompt="How are you?"),
        frozenset({MEMBER}),  # only those who lead the group
    ),
    "POST /cohorts/{cohort_id}/invites": Row(
        Need.SIGNED_IN,
        with_cohort("/cohorts/{cohort.id}/invites", "peer_leader", emails="a@example.org"),
        frozenset({MEMBER}),
    ),
    "POST /cohorts/{cohort_id}/leaders": Row(
        Need.SIGNED_IN,
        with_cohort("/cohorts/{cohort.id}/leaders", "peer_leader", user_id="{other.user_id}"),
        frozenset({MEMBER}),
    ),
    "POST /cohorts/{cohort_id}/step-back": Row(
        Need.SIGNED_IN,
        with_cohort("/cohorts/{cohort.id}/step-back", "facilitator"),
        frozenset({MEMBER}),
    ),
    "GET /cohorts/join/{code}": Row(
        Need.SIGNED_IN, with_cohort("/cohorts/join/{cohort.invite_code}")
    ),
    "POST /cohorts/join/{code}": Row(
        Need.SIGNED_IN, with_cohort("/cohorts/join/{cohort.invite_code}"), throwaway=True
    ),
    "GET /goals": Row(Need.SIGNED_IN, get("/goals")),
    "POST /goals": Row(
        Need.SIGNED_IN,
        post("/goals", text="Swim twice a week", share="private-{w.forum.id}", weeks="2"),
        # Only in a forum one is in (forum A here; a ban ends the membership).
        frozenset({MEMBER, MOD, MUTED, SUSPENDED}),
    ),
    "GET /goals/{goal_id}": Row(
        Need.SIGNED_IN, with_shared_goal("/goals/{goal.id}"), frozenset({MEMBER})
    ),
    "POST /goals/{goal_id}/progress": Row(
        Need.SIGNED_IN, with_shared_goal("/goals/{goal.id}/progress"), frozenset({MEMBER})
    ),
    "POST /goals/{goal_id}/encourage": Row(
        Need.SIGNED_IN,
        with_shared_goal("/goals/{goal.id}/encourage"),
        frozenset(),  # the buddy
    ),
    "GET /f/{slug}/wellbeing": Row(
        Need.FORUM_READER, get(FORUM_A + "/wellbeing"), frozenset({MEMBER, MOD, MUTED})
    ),
    "POST /f/{slug}/wellbeing": Row(
        Need.FORUM_READER,
        post(FORUM_A + "/wellbeing", confidence="6"),
        frozenset({MEMBER, MOD, MUTED}),  # the forum's members (an admin is not one)
    ),
    "GET /admin/impact/outcomes": Row(Need.SITE_ADMIN, get("/admin/impact/outcomes")),
    "GET /admin/impact/outcomes.csv": Row(Need.SITE_ADMIN, get("/admin/impact/outcomes.csv")),
    "GET /moderation/items/{item_id}/message": Row(
        Need.MODERATOR, with_item("GET", "/moderation/items/{item.id}/message"), IN_FORUM_MODERATORS
    ),
    "POST /moderation/items/{item_id}/message": Row(
        Need.MODERATOR,
        with_item("POST", "/moderation/items/{item.id}/message", body="Checking in with you."),
        IN_FORUM_MODERATORS,
    ),
    # Undo: only the moderator who decided may (an admin is told no with a 409, not a 404).
    "POST /moderation/decisions/{decision_id}/undo": Row(
        Need.MODERATOR, with_decision, IN_FORUM_MODERATORS
    ),
    "GET /posts/{post_id}/appeal": Row(
        Need.SIGNED_IN, with_rejected_post("GET"), frozenset({MEMBER})
    ),
    "POST /posts/{post_id}/appeal": Row(
        Need.SIGNED_IN, with_rejected_post("POST"), frozenset({MEMBER})
    ),
    "POST /moderation/post-appeals/{appeal_id}": Row(
        # Never the moderator who rejected the post: here that is the forum's moderator.
        Need.MODERATOR,
        with_post_appeal,
        frozenset({ADMIN}),
    ),
    # A moderator's own shift and wellbeing settings: every moderator has their own.
    "POST /moderation/shift": Row(Need.MODERATOR, post("/moderation/shift", action="start")),
    "GET /moderation/wellbeing": Row(Need.MODERATOR, get("/moderation/wellbeing")),
    "POST /moderation/wellbeing/pictures": Row(
        Need.MODERATOR, post("/moderation/wellbeing/pictures")
    ),
    "POST /moderation/wellbeing": Row(
        Need.MODERATOR,
        post("/moderation/wellbeing", break_after_crisis_items="5", break_after_minutes="90"),
    ),
    "POST /moderation/follow-ups/{follow_up_id}/done": Row(
        Need.MODERATOR, with_follow_up, IN_FORUM_MODERATORS
    ),
}
# GETs that still write inside the request, with who is moving the write out.
WRITES_IN_A_READ_LEFT: dict[str, str] = {}
SECRET = "test-secret-key-that-is-long-enough-0123456789"


def app_routes(app: FastAPI) -> list[APIRoute]:
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    return routes + [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def route_keys(route: APIRoute) -> list[str]:
    return [f"{method} {route.path}" for method in sorted(route.methods - {"HEAD"})]


def named_need(route: APIRoute) -> Need:
    """The strongest need among the dependencies the route takes (app/deps.py NEEDS)."""
    needs: list[Need] = []

    def walk(dependant: Any) -> None:
        if dependant.call in NEEDS:
            needs.append(NEEDS[dependant.call])
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    order = list(Need)
    return max(needs, key=order.index, default=Need.ANYONE)


def test_every_route_has_a_row_naming_the_need_the_route_names(app: FastAPI) -> None:
    keys = {key: route for route in app_routes(app) for key in route_keys(route)}
    missing = sorted(set(keys) - set(ROWS))
    assert not missing, (
        "these routes have no row in the authorisation matrix: add one to ROWS in "
        f"tests/test_authorisation.py saying what each needs and how to call it: {missing}"
    )
    assert not sorted(set(ROWS) - set(keys)), "rows for routes that no longer exist"
    wrong = {
        key: (named_need(route).value, ROWS[key].need.value)
        for key, route in keys.items()
        if named_need(route) is not ROWS[key].need
    }
    assert not wrong, (
        "the route's dependencies (app/deps.py NEEDS) name another need than its row: "
        f"{wrong} (route's, row's). Take the dependency for the need (CurrentUser, "
        "ReadableForum, PostableForum, ModeratedForum, Moderator, SiteAdmin) or fix the row."
    )


def build_world(db: Session) -> World:
    forum = ForumFactory(join_policy=JoinPolicy.APPROVAL_REQUIRED, joining_questions=["How long?"])
    other = ForumFactory()
    member = member_of(forum)
    users = {
        OTHER_MEMBER: member_of(other),
        MEMBER: member,
        OTHER_MOD: member_of(other, MembershipRole.MODERATOR),
        MOD: member_of(forum, MembershipRole.MODERATOR),
        ADMIN: UserFactory(site_role=SiteRole.ADMIN),
        BANNED: member_of(forum),
        SUSPENDED: member_of(forum),
        MUTED: member_of(forum),
    }
    for role, kind in ((BANNED, SanctionKind.BAN), (SUSPENDED, SanctionKind.SUSPENSION)):
        sanctions.impose(db, users[MOD], users[role], forum, kind, "Reason.", 30)
    sanctions.impose(db, users[MOD], users[MUTED], forum, SanctionKind.MUTE, "Reason.", 3)
    db.commit()
    thread = PostFactory(
        thread__forum=forum, thread__author=member, author=member, is_opening=True
    ).thread
    reply = PostFactory(thread=thread, author=member)
    return World(db, forum, other, users, thread, reply)


@dataclass
class Visitors:
    app: FastAPI
    db: Session
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, role: str, user: User | None) -> TestClient:
        client = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        if user is None:
            client.cookies.set(ANON_COOKIE, f"anonymous-{role}")
            client.headers["X-CSRF-Token"] = csrf_token_for(SECRET, f"anonymous-{role}")
        else:
            token = accounts.start_session(self.db, user, Settings(secret_key=SECRET)).token
            self.db.commit()
            client.cookies.set(SESSION_COOKIE, token)
            client.headers["X-CSRF-Token"] = csrf_token_for(SECRET, token)
        return client


def outcome(response: Any) -> str:
    if response.status_code in (401, 403, 404):
        return "denied"
    if response.status_code == 303 and response.headers["location"].startswith("/login"):
        return "denied"
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return "allowed"


@pytest.fixture
def visitors(app: FastAPI, db: Session) -> Iterator[Visitors]:
    found = Visitors(app, db)
    yield found
    for client in found.clients.values():
        client.close()


def test_every_role_gets_exactly_the_access_each_route_gives_it(
    app: FastAPI, db: Session, visitors: Visitors, caplog: pytest.LogCaptureFixture
) -> None:
    world = build_world(db)
    world.picture_dir = app.state.settings.picture_dir
    users: dict[str, User | None] = {ANON: None, **world.users}
    clients = {role: visitors.client(role, users[role]) for role in ROLES}
    visitors.clients.update(clients)
    failures = []
    writes = []
    # Rows whose request ends a session run as throwaway accounts of the same standing: these
    # rows' needs do not tell roles apart beyond signed in or not.
    for key, role in itertools.product(ROWS, ROLES):
        row = ROWS[key]
        method = key.split(" ", 1)[0]
        client = clients[role]
        if row.throwaway:
            client = visitors.client(role, None if role == ANON else UserFactory())
            visitors.clients[f"{key} {role}"] = client
        url, form = row.build(world, role)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="app.db"):
            response = client.get(url) if method == "GET" else client.post(url, data=form or {})
        expected = "allowed" if role in row.who_may() else "denied"
        got = outcome(response)
        if got != expected:
            failures.append(f"{key} as {role}: {got} ({response.status_code}), not {expected}")
        if method == "GET" and key not in WRITES_IN_A_READ_LEFT:
            writes += [f"{key} as {role}" for r in caplog.records if r.msg == WRITE_IN_READ]
    cells = len(ROWS) * len(ROLES)
    assert failures == [], f"{len(failures)} of {cells} cells fail:\n" + "\n".join(failures)
    assert writes == [], f"GETs that write inside the request: {writes}"


def test_the_join_request_endpoint_acts_only_on_requests_still_waiting(
    app: FastAPI, db: Session, visitors: Visitors
) -> None:
    """A forum moderator once could decline a co-moderator's ACTIVE membership (removing them)
    or approve a banned member's REMOVED one (re-admitting them) through this endpoint."""
    world = build_world(db)
    moderator = visitors.client(MOD, world.users[MOD])
    memberships = {
        role: db.query(Membership).filter_by(forum_id=world.forum.id, user_id=user.id).one()
        for role, user in world.users.items()
        if role in (MEMBER, MOD, BANNED)
    }
    for role, decision in ((MEMBER, "decline"), (MOD, "decline"), (BANNED, "approve")):
        url = f"/f/{world.forum.slug}/requests/{memberships[role].id}"
        assert moderator.post(url, data={"decision": decision}).status_code == 404
    db.expire_all()
    assert [m.status for m in memberships.values()] == [
        MembershipStatus.ACTIVE,
        MembershipStatus.ACTIVE,
        MembershipStatus.REMOVED,
    ]


def test_a_moderator_sees_a_members_history_only_in_the_forums_they_moderate(
    app: FastAPI, db: Session, visitors: Visitors
) -> None:
    world = build_world(db)
    member = world.users[MEMBER]
    db.add(Membership(forum_id=world.other.id, user_id=member.id))
    db.commit()
    in_a = sanctions.impose(db, world.users[MOD], member, world.forum, SanctionKind.WARNING, "A", 1)
    sanctions.impose(
        db, world.users[OTHER_MOD], member, world.other, SanctionKind.WARNING, "Seen in B", 1
    )
    db.commit()
    other_moderator = visitors.client(OTHER_MOD, world.users[OTHER_MOD])
    page = other_moderator.get(f"/moderation/members/{member.id}?forum={world.other.slug}").text
    assert "(Seen in B)" in page and f"({in_a.reason})" not in page


# Where a site-wide moderator's access differs from "what the forum's own moderator may, and an
# admin may too": the appeals the forum's moderator may not review (they imposed the sanction or
# made the decision) are any other moderator's to review.
SITE_MODERATOR_ALSO = {
    "POST /moderation/appeals/{appeal_id}",
    "POST /moderation/post-appeals/{appeal_id}",
}
STAFF_NEEDS = (Need.FORUM_COORDINATOR, Need.FORUM_MODERATOR, Need.MODERATOR, Need.SITE_ADMIN)


def test_a_site_wide_moderator_moderates_every_forum_but_is_not_an_admin(
    app: FastAPI, db: Session, visitors: Visitors
) -> None:
    """Every staff route, as a site-wide moderator who is in neither forum: what the forum's own
    moderators may do (objects of forum A included), nothing only admins may do, and no
    safeguarding record (that takes the lead role)."""
    world = build_world(db)
    world.picture_dir = app.state.settings.picture_dir
    pat = UserFactory(site_moderator=True)
    world.users["site-wide moderator"] = pat
    client = visitors.client("site-wide moderator", pat)
    visitors.clients["site-wide moderator"] = client
    failures, allowed, denied = [], 0, 0
    for key, row in ROWS.items():
        if row.need not in STAFF_NEEDS or row.throwaway:
            continue
        method = key.split(" ", 1)[0]
        url, form = row.build(world, MOD)
        response = client.get(url) if method == "GET" else client.post(url, data=form or {})
        who = row.who_may()
        may = (MOD in who and ADMIN in who) or key in SITE_MODERATOR_ALSO
        expected = "allowed" if may and row.need is not Need.SITE_ADMIN else "denied"
        if (got := outcome(response)) != expected:
            failures.append(f"{key}: {got} ({response.status_code}), not {expected}")
        allowed, denied = allowed + (got == "allowed"), denied + (got == "denied")
    assert failures == [], "\n".join(failures)
    assert allowed > 30 and denied > 20, (allowed, denied)
