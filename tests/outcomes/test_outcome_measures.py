"""Outcome measures: an optional check-in at joining and every N weeks, the member's own trend,
and for commissioners only aggregates, never for fewer than ten people."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.clock import ManualClock
from app.outcomes import service as outcomes
from app.outcomes.models import OutcomeResponse
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of


def test_a_member_answers_skips_questions_and_sees_their_trend(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum = ForumFactory()
    member_of(forum, email="sam@example.org")
    sam = make_browser()
    sam.sign_in("sam@example.org")
    page = sam.get(f"/f/{forum.slug}/wellbeing").text
    assert "How confident do you feel managing your health?" in page and "Skip for now" in page
    sam.post(f"/f/{forum.slug}/wellbeing", {"confidence": "4", "happy": "6"})
    first = db.scalars(select(OutcomeResponse)).one()
    assert (first.confidence, first.happy, first.anxious) == (4, 6, None)  # skipped stays empty
    assert "not due yet" in sam.get(f"/f/{forum.slug}/wellbeing").text
    skipped = sam.post(f"/f/{forum.slug}/wellbeing", {}, follow_redirects=False)
    assert skipped.headers["location"].endswith("notice=skipped")
    clock.advance(weeks=6)
    sam.sign_in("sam@example.org")
    page = sam.get(f"/f/{forum.slug}/wellbeing").text
    assert "Save my answers" in page  # due again after the forum's six weeks
    sam.post(f"/f/{forum.slug}/wellbeing", {"confidence": "7"})
    trend = sam.get(f"/f/{forum.slug}/wellbeing").text
    assert "<svg" in trend and "Your answers, 0 to 10" in trend
    assert len(db.scalars(select(OutcomeResponse)).all()) == 2


def test_only_members_answer(make_browser: Callable[[], Browser], db: Session) -> None:
    forum = ForumFactory()
    UserFactory(email="out@example.org")
    outsider = make_browser()
    outsider.sign_in("out@example.org")
    assert outsider.post(f"/f/{forum.slug}/wellbeing", {"confidence": "5"}).status_code == 403
    assert db.scalars(select(OutcomeResponse)).all() == []


def _answers(db: Session, forum: object, clock: ManualClock, people: int) -> None:
    """`people` members answer twice, six weeks apart, each two points more confident."""
    members = [member_of(forum) for _ in range(people)]  # type: ignore[arg-type]
    for i, member in enumerate(members):
        outcomes.record(db, forum, member, {"confidence": 3 + i % 3, "anxious": 6})  # type: ignore[arg-type]
    clock.advance(weeks=6)
    for i, member in enumerate(members):
        outcomes.record(db, forum, member, {"confidence": 5 + i % 3 + (i % 2), "anxious": 5})  # type: ignore[arg-type]
    db.commit()


def test_commissioners_see_aggregates_only_once_ten_people_have_answered(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum = ForumFactory(name="Kidney care")
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    admin = make_browser()
    admin.sign_in("admin@example.org")
    _answers(db, forum, clock, 9)
    admin.sign_in("admin@example.org")
    page = admin.get("/admin/impact/outcomes").text
    assert "Fewer than 10 people have answered: nothing is shown." in page
    rows = list(csv.reader(io.StringIO(admin.get("/admin/impact/outcomes.csv").text)))
    assert rows[1][:3] == [forum.slug, "life_satisfaction", "<10"] and rows[1][4:] == ["", "", ""]

    _answers(db, forum, clock, 1)  # the tenth person
    admin.sign_in("admin@example.org")
    page = admin.get("/admin/impact/outcomes").text
    assert "10 people answered at least once." in page and "<svg" in page
    assert "95% interval" in page
    found = outcomes.impact(db, forum)
    confidence = next(c for c in found.changes if c.key == "confidence")
    differences = [2 + (i % 2) for i in range(9)] + [2]
    assert confidence.people == 10
    assert confidence.mean == round(sum(differences) / 10, 2)
    assert confidence.low is not None and confidence.high is not None
    assert confidence.low < confidence.mean < confidence.high
    rows = list(csv.reader(io.StringIO(admin.get("/admin/impact/outcomes.csv").text)))
    confidence_row = next(r for r in rows if r[1] == "confidence")
    assert confidence_row[2:5] == ["10", "10", str(confidence.mean)]
    # No row, anywhere, is about one person.
    assert all(len(r) == 7 for r in rows)
    assert outcomes.impact(db, ForumFactory()).shown is False


def test_only_site_admins_see_the_outcomes(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, email="m@example.org")
    member = make_browser()
    member.sign_in("m@example.org")
    assert member.get("/admin/impact/outcomes").status_code == 403
    assert member.get("/admin/impact/outcomes.csv").status_code == 403
