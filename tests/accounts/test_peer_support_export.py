"""The member's data export holds their peer support too: goals and the days done, wellbeing
check-in answers, buddy requests and pairings, and the groups they are in; readable and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.buddies import service as buddies
from app.cohorts import service as cohorts
from app.conversations import service as conversations
from app.conversations.models import Conversation, MessageStatus
from app.forums.models import MembershipRole
from app.goals.models import Goal
from tests.conftest import Browser
from tests.factories import ForumFactory, buddy_request, buddy_with_room, member_of


def test_the_export_holds_my_goals_check_ins_buddying_and_groups_and_nobody_elses(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(name="Living with type 1 diabetes")
    nia = member_of(forum, email="nia@example.org", handle="nia")
    other = member_of(forum, email="kai@example.org", handle="kai")
    buddy = buddy_with_room(forum, user={"handle": "buddy_jo"})
    lead = member_of(forum, MembershipRole.SUPPORTER)
    request = buddy_request(forum, nia, hopes="Someone who has lived it")
    buddies.pair(db, forum, request, buddy.id, member_of(forum, MembershipRole.MODERATOR))
    group = cohorts.create(db, forum, lead, "Spring course")
    cohorts.join(db, group, nia)
    cohorts.join(db, group, other)
    db.commit()
    me, kai = make_browser(), make_browser()
    me.sign_in("nia@example.org")
    kai.sign_in("kai@example.org")
    me.post("/goals", {"text": "Walk to the park", "share": f"private-{forum.id}", "weeks": "4"})
    goal = db.scalars(select(Goal)).one()
    me.post(f"/goals/{goal.id}/progress")
    me.post(f"/f/{forum.slug}/wellbeing", {"confidence": "4", "happy": "6"})
    kai.post("/goals", {"text": "Kai's own goal", "share": f"private-{forum.id}", "weeks": "4"})
    kai.post(f"/f/{forum.slug}/wellbeing", {"confidence": "9"})

    exported = me.get("/account/export.json").json()
    [my_goal] = exported["goals"]
    assert my_goal["text"] == "Walk to the park" and len(my_goal["days_done"]) == 1
    [check_in] = exported["outcome_check_ins"]
    assert check_in["answers"]["confidence"] == 4 and check_in["answers"]["anxious"] is None
    [asked] = exported["buddying"]["requests"]
    assert asked["hopes"] == "Someone who has lived it" and asked["status"] == "paired"
    [pairing] = exported["buddying"]["pairings"]
    assert pairing["with"] == "buddy_jo" and pairing["you_were"] == "member"
    [in_group] = exported["groups"]
    assert in_group["group"] == "Spring course" and in_group["role"] == "participant"
    assert "Kai's own goal" not in json.dumps(exported)

    page = me.get("/account/export.html").text
    assert "Walk to the park" in page and "done on 1 day" in page
    assert "Confidence 4" in page and "Anxious skipped" in page
    assert "buddy_jo was your buddy" in page and "Someone who has lived it" in page
    assert "Spring course" in page and "Kai&#39;s own goal" not in page


def delivered(db: Session, conversation: Conversation, author: User, text: str) -> None:
    """A member's message that passed its assessment (the team's are delivered at once)."""
    sent = conversations.send(db, conversation, author, text, as_team=False)
    sent.message.status = MessageStatus.DELIVERED


def test_the_export_holds_my_private_messages_and_nobody_elses(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(name="Kidney care")
    nia = member_of(forum, email="nia@example.org", handle="nia")
    kai = member_of(forum, handle="kai")
    moderator = member_of(forum, MembershipRole.MODERATOR, handle="mod_ola")
    buddy = buddy_with_room(forum, user={"handle": "buddy_jo"})
    pairing = buddies.pair(db, forum, buddy_request(forum, nia), buddy.id, moderator)
    with_buddy = db.get(Conversation, pairing.conversation_id)
    assert with_buddy is not None
    delivered(db, with_buddy, nia, "Nia asks about dialysis nights")
    delivered(db, with_buddy, buddy, "Jo answers about dialysis nights")
    held = conversations.send(db, with_buddy, buddy, "Jo's words still held", as_team=False)
    held.message.status = MessageStatus.HELD
    mine = conversations.open_with_team(db, forum, nia, moderator)
    conversations.send(db, mine, moderator, "The team checks in with Nia", as_team=True)
    delivered(db, mine, nia, "Nia thanks the team")
    # Kai's conversation with the team, and a group thread Nia is in but others wrote.
    kais = conversations.open_with_team(db, forum, kai, moderator)
    conversations.send(db, kais, moderator, "The team writes to Kai", as_team=True)
    delivered(db, kais, kai, "Kai's private reply")
    group = cohorts.create(db, forum, member_of(forum, MembershipRole.SUPPORTER), "Spring")
    cohorts.join(db, group, nia)
    cohorts.join(db, group, kai)
    opened = cohorts.start_thread(db, group, kai, "Week one", "Kai opens the group thread")
    thread = db.get(Conversation, opened.message.conversation_id)
    assert thread is not None
    delivered(db, thread, nia, "Nia answers in the group")
    db.commit()
    me = make_browser()
    me.sign_in("nia@example.org")

    exported = me.get("/account/export.json").json()
    by_kind = {c["kind"]: c for c in exported["private_messages"]}
    assert set(by_kind) == {"peer", "moderation", "cohort"}
    assert by_kind["peer"]["with"] == "buddy_jo"
    assert [(m["from"], m["text"]) for m in by_kind["peer"]["messages"]] == [
        ("you", "Nia asks about dialysis nights"),
        ("buddy_jo", "Jo answers about dialysis nights"),
    ]
    assert [(m["from"], m["text"]) for m in by_kind["moderation"]["messages"]] == [
        ("moderation_team", "The team checks in with Nia"),
        ("you", "Nia thanks the team"),
    ]
    assert [m["text"] for m in by_kind["cohort"]["messages"]] == ["Nia answers in the group"]
    everything = json.dumps(exported)
    for not_hers in ("Jo's words still held", "Kai", "mod_ola"):
        assert not_hers not in everything

    page = me.get("/account/export.html").text
    assert "With buddy_jo (Kidney care)" in page and "Jo answers about dialysis nights" in page
    assert "With the moderation team of Kidney care" in page and "Nia thanks the team" in page
    assert "Nia answers in the group" in page
    for not_hers in ("Jo&#39;s words still held", "Kai", "mod_ola"):
        assert not_hers not in page
    # A moderator's export holds what they wrote for the team, not the members' words or names.
    team_side = json.dumps(conversations.for_export(db, moderator))
    assert "The team writes to Kai" in team_side and "The team checks in with Nia" in team_side
    for not_theirs in ("Kai's private reply", "Nia thanks the team", '"kai"', '"nia"'):
        assert not_theirs not in team_side
