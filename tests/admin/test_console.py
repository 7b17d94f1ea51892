"""The admin console: forums, joining, invites, people, the policy editor, audit log and impact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountStatus, SiteRole, User
from app.db import utcnow
from app.forums.models import (
    Forum,
    Invite,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    WatchedWord,
)
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of, thread_with_opening_post

ADMIN_ROUTES = [
    ("get", "/admin"),
    ("get", "/admin/forums/new"),
    ("post", "/admin/forums/new"),
    ("get", "/admin/forums/{slug}"),
    ("post", "/admin/forums/{slug}"),
    ("post", "/admin/forums/{slug}/archive"),
    ("post", "/admin/forums/{slug}/move"),
    ("get", "/admin/forums/{slug}/policy"),
    ("post", "/admin/forums/{slug}/policy"),
    ("get", "/admin/forums/{slug}/watched-words.csv"),
    ("get", "/admin/forums/{slug}/invites"),
    ("post", "/admin/forums/{slug}/invites"),
    ("get", "/admin/people"),
    ("get", "/admin/people/{uid}"),
    ("post", "/admin/people/{uid}/role"),
    ("post", "/admin/people/{uid}/site-admin"),
    ("post", "/admin/people/{uid}/site-moderator"),
    ("post", "/admin/people/{uid}/end-sessions"),
    ("post", "/admin/people/{uid}/deactivate"),
    ("get", "/admin/people/{uid}/two-factor/reset"),
    ("post", "/admin/people/{uid}/two-factor/reset"),
    ("get", "/admin/security"),
    ("post", "/admin/security"),
    ("get", "/admin/audit"),
    ("get", "/admin/audit.csv"),
    ("get", "/admin/impact"),
    ("get", "/admin/impact.csv"),
]


@pytest.fixture
def admin(make_browser: Callable[[], Browser], db: Session) -> Browser:
    UserFactory(email="chair@charity.example", handle="chair", site_role=SiteRole.ADMIN)
    browser = make_browser()
    browser.sign_in("chair@charity.example")
    return browser


def test_every_admin_route_refuses_members_and_moderators(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    member = member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    moderator = make_browser()
    moderator.sign_in("rowan@example.org")
    anonymous = make_browser()
    for method, template in ADMIN_ROUTES:
        path = template.format(slug=forum.slug, uid=member.id)
        response = getattr(moderator, method)(path) if method == "get" else moderator.post(path, {})
        assert response.status_code == 403, (method, path, response.status_code)
        refused = (
            anonymous.get(path, follow_redirects=False)
            if method == "get"
            else anonymous.post(path, {})
        )
        assert refused.status_code in (303, 401), (method, path)


def test_an_admin_creates_an_approval_forum_and_a_moderator_approves_a_request(
    admin: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    page = admin.post(
        "/admin/forums/new",
        {
            "name": "Young adults with kidney disease (18–30)",
            "address": "kidney-young-adults",
            "audience": "Young adults with CKD",
            "visibility": "members_only",
            "join_policy": "approval_required",
            "moderation_mode": "hold_flagged",
            "joining_questions": "Do you have chronic kidney disease?\nHow old are you?",
            "eligibility": "aged 18 to 30",
            "welcome_message": "Welcome! Introduce yourself when you're ready.",
            "guidelines": "Be kind. **No medical advice.**",
        },
    )
    assert "Saved." in page.text
    forum = db.scalars(select(Forum).where(Forum.slug == "kidney-young-adults")).one()
    assert forum.join_policy is JoinPolicy.APPROVAL_REQUIRED and len(forum.joining_questions) == 2
    UserFactory(email="kai@example.org", handle="kai")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    admin.post("/admin/forums/kidney-young-adults/open")  # it has a moderator now: open it
    kai, rowan = make_browser(), make_browser()
    kai.sign_in("kai@example.org")
    form = kai.get("/f/kidney-young-adults").text
    assert "Do you have chronic kidney disease?" in form and "aged 18 to 30" in form
    assert (
        kai.post("/f/kidney-young-adults/join", {}).status_code == 422
    )  # the questions need answers
    kai.client.post(
        "/f/kidney-young-adults/join",
        data={
            "answers": ["Yes, stage 4", "23"],
            "accept_guidelines": "yes",
            "csrf_token": kai.get("/").text.split('"X-CSRF-Token": "')[1].split('"')[0],
        },
    )
    rowan.sign_in("rowan@example.org")
    requests_page = rowan.get("/f/kidney-young-adults/requests").text
    assert "Yes, stage 4" in requests_page
    membership = db.scalars(
        select(Membership).where(Membership.status == MembershipStatus.PENDING)
    ).one()
    rowan.post(
        f"/f/kidney-young-adults/requests/{membership.id}",
        {"decision": "approve", "message": "Hi Kai!"},
    )
    db.refresh(membership)
    assert membership.status is MembershipStatus.ACTIVE
    assert "was approved. Welcome! Hi Kai!" in kai.get("/notifications").text
    assert "Welcome! Introduce yourself" in kai.get("/f/kidney-young-adults?notice=joined").text


def test_an_invite_link_joins_an_invite_only_forum_until_it_is_used_up(
    admin: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(join_policy=JoinPolicy.INVITE_ONLY, slug="heart-rehab")
    admin.post(
        f"/admin/forums/{forum.slug}/invites",
        {"note": "Cardiac rehab nurse", "max_uses": "1", "days": "14"},
    )
    invite = db.scalars(select(Invite)).one()
    assert f"/invite/{invite.code}" in admin.get(f"/admin/forums/{forum.slug}/invites").text
    UserFactory(email="pat@example.org")
    UserFactory(email="lee@example.org")
    pat, lee = make_browser(), make_browser()
    pat.sign_in("pat@example.org")
    lee.sign_in("lee@example.org")
    assert lee.post(f"/f/{forum.slug}/join").status_code == 403
    assert "You're invited" in pat.get(f"/invite/{invite.code}").text
    joined = pat.post(f"/invite/{invite.code}")
    assert "You have joined this forum" in joined.text
    assert lee.get(f"/invite/{invite.code}").status_code == 404  # single use
    expired = Invite(
        forum_id=forum.id,
        code="old-code",
        max_uses=5,
        expires_at=utcnow() - timedelta(days=1),
        created_by_id=db.scalars(select(User.id).where(User.handle == "chair")).one(),
    )
    db.add(expired)
    db.commit()
    assert lee.get("/invite/old-code").status_code == 404


def test_the_policy_editor_previews_then_saves_and_confirms_risky_changes(
    admin: Browser, db: Session
) -> None:
    forum = ForumFactory(slug="t1d")
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    from app.moderation_queue.models import PostAssessment

    post = db.scalars(select(Post).where(Post.thread_id == thread.id)).one()
    db.add(
        PostAssessment(
            post_id=post.id,
            scorer_name="profanity",
            scorer_version="1",
            route="publish",
            priority=0,
            scores={"insult": 0.5},
            reasons=[],
        )
    )
    db.commit()
    fields = {
        f"threshold_{label}": "0.6"
        for label in ("toxicity", "severe_toxicity", "obscene", "threat", "identity_attack")
    }
    preview = admin.post(
        "/admin/forums/t1d/policy", {**fields, "threshold_insult": "0.4", "intent": "preview"}
    )
    assert (
        "Of 1 assessed posts, 0 were held; with these values 1 would have been held" in preview.text
    )
    saved = admin.post(
        "/admin/forums/t1d/policy",
        {
            **fields,
            "threshold_insult": "0.4",
            "intent": "save",
            "moderation_mode": "hold_flagged",
            "watched_words": "phrase,action\nmiracle cure,block\nmlm,hold\n",
            "first_posts_held": "2",
            "follow_up_hours": "12",
            "rejection_reasons": "Be kind\nNo medical advice",
            "strike_ladder": "warning\nmute 7",
            "crisis_resources": "Samaritans | 116 123 | any time",
        },
    )
    assert "Saved." in saved.text
    db.expire_all()
    forum = db.get(Forum, forum.id)
    assert forum.policy.thresholds["insult"] == 0.4 and forum.policy.first_posts_held == 2
    assert forum.policy.follow_up_hours == 12
    assert forum.policy.rejection_reasons == ["Be kind", "No medical advice"]
    assert {w.phrase for w in db.scalars(select(WatchedWord))} == {"miracle cure", "mlm"}
    assert "miracle cure,block" in admin.get("/admin/forums/t1d/watched-words.csv").text
    risky = admin.post(
        "/admin/forums/t1d/policy",
        {
            **{k: "0.99" for k in fields},
            "threshold_insult": "0.99",
            "intent": "save",
            "moderation_mode": "hold_flagged",
        },
    )
    assert "Publish much more without review?" in risky.text
    db.expire_all()
    assert db.get(Forum, forum.id).policy.thresholds["insult"] == 0.4  # nothing changed yet


def test_a_new_members_first_posts_are_held_when_the_forum_says_so(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    forum.policy.first_posts_held = 1
    db.commit()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, member_of(forum))
    browser.sign_in("kai@example.org")
    browser.post(
        f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Hello everyone, glad to be here."}
    )
    post = db.scalars(select(Post).where(Post.author_id == kai.id)).one()
    assert post.status is PostStatus.HELD


def test_roles_take_effect_on_the_next_request_and_accounts_can_be_closed(
    admin: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(slug="after-a-heart-attack")
    pat = member_of(forum, email="pat@example.org", handle="steady_pat")
    member = make_browser()
    member.sign_in("pat@example.org")
    assert member.get("/moderation").status_code == 403
    assert "steady_pat" in admin.get("/admin/people?q=steady").text
    admin.post(f"/admin/people/{pat.id}/role", {"forum": forum.slug, "role": "moderator"})
    assert member.get("/moderation").status_code == 200
    confirm = admin.post(f"/admin/people/{pat.id}/deactivate", {})
    assert "Deactivate steady_pat?" in confirm.text
    admin.post(f"/admin/people/{pat.id}/deactivate", {"confirmed": "true"})
    db.refresh(pat)
    assert pat.status is AccountStatus.DEACTIVATED
    assert member.get("/account", follow_redirects=False).status_code == 303
    log = admin.get("/admin/audit?action=user.").text
    assert "user.deactivate" in log
    csv_text = admin.get("/admin/audit.csv").text
    assert csv_text.startswith("when,actor,action") and "membership.role" in csv_text


def test_impact_figures_are_counts_only(admin: Browser, db: Session) -> None:
    forum = ForumFactory(name="Living with type 1 diabetes", slug="t1d")
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai, title="Secret title text")
    from tests.factories import PostFactory

    PostFactory(thread=thread, author=member_of(forum), body_source="Private words")
    page = admin.get("/admin/impact?forum=t1d&days=30").text
    assert "Threads answered by a peer</th><td>100%" in page and "<svg" in page
    assert "90th percentile time to a decision" in page
    assert "Private words" not in page and "Secret title text" not in page
    csv_text = admin.get("/admin/impact.csv?forum=t1d&days=30").text
    assert "Living with type 1 diabetes,30" in csv_text and "Private words" not in csv_text


def test_outside_staffed_hours_members_see_where_to_get_help(
    admin: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(slug="heart")
    member_of(forum, email="pat@example.org")
    fields = {
        f"threshold_{label}": "0.6"
        for label in (
            "toxicity",
            "severe_toxicity",
            "obscene",
            "threat",
            "insult",
            "identity_attack",
        )
    }
    saved = admin.client.post(
        "/admin/forums/heart/policy",
        data={
            **fields,
            "intent": "save",
            "moderation_mode": "hold_flagged",
            "staffed_from": "00:00",
            "staffed_until": "00:01",
            "timezone": "Europe/London",
            "staffed_days": ["0", "2"],
            "csrf_token": admin.get("/").text.split('"X-CSRF-Token": "')[1].split('"')[0],
        },
    )
    assert "Saved." in saved.text
    member = make_browser()
    member.sign_in("pat@example.org")
    page = member.get("/f/heart").text
    assert "Moderators are not online right now." in page and "Mon, Wed, 00:00 to 00:01" in page
    assert 'Samaritans</strong> <a href="tel:116123">116 123</a>' in page
    bad = admin.post(
        "/admin/forums/heart/policy", {**fields, "intent": "save", "timezone": "Mars/Olympus"}
    )
    assert bad.status_code == 422 and "not a time zone" in bad.text


def test_an_admin_sets_how_often_the_wellbeing_check_in_comes_round(
    admin: Browser, db: Session
) -> None:
    forum = ForumFactory(slug="kidney-care", name="Kidney care")
    form = admin.get("/admin/forums/kidney-care").text
    assert 'name="outcome_every_weeks"' in form and 'value="6"' in form  # the default
    fields = {
        "name": "Kidney care",
        "address": "kidney-care",
        "visibility": "members_only",
        "join_policy": "open",
        "moderation_mode": "hold_flagged",
    }
    for wrong in ("0", "53", "six"):
        refused = admin.post("/admin/forums/kidney-care", {**fields, "outcome_every_weeks": wrong})
        assert refused.status_code == 422 and "from 1 to 52" in refused.text
    db.refresh(forum.policy)
    assert forum.policy.outcome_every_weeks == 6
    saved = admin.post("/admin/forums/kidney-care", {**fields, "outcome_every_weeks": "12"})
    assert "Saved." in saved.text
    db.refresh(forum.policy)
    assert forum.policy.outcome_every_weeks == 12
    assert 'value="12"' in admin.get("/admin/forums/kidney-care").text
