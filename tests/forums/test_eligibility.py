"""A forum's age band and statements: people outside are told kindly where else to go; what is
kept is the least the rule needs (the band, never an age), and nobody else sees it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole, User
from app.clock import ManualClock
from app.forums.models import Forum, Membership
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of

STATEMENT = "I live with chronic kidney disease, or care for someone who does"


def young_adults_forum() -> Forum:
    return ForumFactory(
        slug="kidney-young-adults",
        age_min=18,
        age_max=30,
        eligibility_questions=[STATEMENT],
        ineligible_message="",
    )


def membership_of(db: Session, email: str) -> Membership | None:
    user_id = select(User.id).where(User.email == email).scalar_subquery()
    return db.scalar(select(Membership).where(Membership.user_id == user_id))


def test_the_join_form_asks_for_an_age_band_and_the_statements(
    browser: Browser, db: Session
) -> None:
    young_adults_forum()
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    page = browser.get("/f/kidney-young-adults").text
    assert "This forum is for people aged 18 to 30" in page
    assert "Under 18" in page and "Over 30" in page and STATEMENT in page
    assert 'name="birth_year"' in page


def test_someone_in_the_band_joins_and_only_the_band_is_kept(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    young_adults_forum()
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    joined = browser.post(
        "/f/kidney-young-adults/join",
        {"birth_year": str(clock.now().year - 25), "confirms": "0"},
        follow_redirects=False,
    )
    assert joined.headers["location"] == "/f/kidney-young-adults?notice=joined"
    membership = membership_of(db, "kai@example.org")
    assert membership is not None and membership.age_band == "18-30"


def test_an_underage_attempt_is_told_kindly_where_to_go_and_nothing_is_kept(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    young_adults_forum()
    UserFactory(email="teen@example.org")
    browser.sign_in("teen@example.org")
    for form in (
        {"age_band": "below", "confirms": "0"},
        # Born 18 years ago: might still be 17, so not let in.
        {"birth_year": str(clock.now().year - 18), "confirms": "0"},
    ):
        answer = browser.post("/f/kidney-young-adults/join", form)
        assert answer.status_code == 200
        assert "Childline" in answer.text and 'href="tel:116123"' in answer.text
    assert membership_of(db, "teen@example.org") is None


def test_someone_over_the_band_or_not_confirming_is_pointed_elsewhere(
    browser: Browser, db: Session
) -> None:
    forum = young_adults_forum()
    forum.ineligible_message = "Try our Living with CKD forum, open to everyone."
    db.commit()
    UserFactory(email="pat@example.org")
    browser.sign_in("pat@example.org")
    for form in ({"age_band": "above", "confirms": "0"}, {"age_band": "in"}):
        answer = browser.post("/f/kidney-young-adults/join", form)
        assert "Try our Living with CKD forum" in answer.text
        assert "Childline" not in answer.text
    assert membership_of(db, "pat@example.org") is None


def test_no_band_chosen_asks_again(browser: Browser, db: Session) -> None:
    young_adults_forum()
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    answer = browser.post("/f/kidney-young-adults/join", {"confirms": "0"})
    assert answer.status_code == 422 and "Choose your age band" in answer.text


def test_no_age_is_shown_to_other_members(
    browser: Browser, make_browser: object, db: Session
) -> None:
    forum = young_adults_forum()
    kai = member_of(forum, email="kai@example.org", handle="kidneybean_kai")
    membership = membership_of(db, "kai@example.org")
    assert membership is not None
    membership.age_band = "18-30"
    db.commit()
    member_of(forum, email="jo@example.org")
    browser.sign_in("jo@example.org")
    profile = browser.get(f"/members/{kai.handle}").text
    assert "18-30" not in profile and "18 to 30" not in profile


def test_the_admin_sets_the_band_statements_and_words(browser: Browser, db: Session) -> None:
    ForumFactory(slug="kidney-young-adults")
    UserFactory(email="chair@example.org", site_role=SiteRole.ADMIN)
    browser.sign_in("chair@example.org")
    base = {
        "address": "kidney-young-adults",
        "name": "Young adults",
        "visibility": "members_only",
        "join_policy": "open",
        "moderation_mode": "hold_flagged",
        "eligibility_questions": STATEMENT,
        "ineligible_message": "Try the Living with CKD forum.",
    }
    wrong = browser.post(
        "/admin/forums/kidney-young-adults", {**base, "age_min": "30", "age_max": "18"}
    )
    assert wrong.status_code == 422 and "The oldest age must be" in wrong.text
    browser.post("/admin/forums/kidney-young-adults", {**base, "age_min": "18", "age_max": "30"})
    forum = db.scalars(select(Forum).where(Forum.slug == "kidney-young-adults")).one()
    assert (forum.age_min, forum.age_max) == (18, 30)
    assert forum.eligibility_questions == [STATEMENT]
    assert forum.ineligible_message == "Try the Living with CKD forum."
