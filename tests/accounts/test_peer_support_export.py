"""The member's data export holds their peer support too: goals and the days done, wellbeing
check-in answers, buddy requests and pairings, and the groups they are in; readable and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.buddies import service as buddies
from app.cohorts import service as cohorts
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
