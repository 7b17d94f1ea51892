"""Bad input gets a clear message and the right status code, never a 500."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of, thread_with_opening_post


def test_unknown_pages_are_html_for_browsers_and_problem_json_for_apis(
    browser: Browser, db: Session
) -> None:
    html = browser.get("/no/such/page", headers={"Accept": "text/html"})
    assert html.status_code == 404 and "couldn&#39;t find that page" in html.text
    problem = browser.get("/no/such/page", headers={"Accept": "application/json"})
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    body = problem.json()
    assert body["status"] == 404 and body["title"] == "Not Found" and body["detail"]


def test_a_non_numeric_id_is_a_clear_422_not_a_crash(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    response = browser.get(f"/f/{forum.slug}/t/not-a-number")
    assert response.status_code == 422 and "could not be understood" in response.text


def test_a_malformed_form_is_refused_clearly(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    huge_title = "t" * 5000
    response = browser.post(f"/f/{forum.slug}/new", {"title": huge_title, "body": "x"})
    assert response.status_code == 422
    assert browser.get(f"/f/{forum.slug}/t/{thread.id}?page=0").status_code == 422


def test_an_expired_session_on_submit_keeps_the_draft(browser: Browser, db: Session) -> None:
    from sqlalchemy import update

    from app.accounts.models import UserSession
    from app.db import utcnow

    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    db.execute(update(UserSession).values(revoked_at=utcnow()))
    db.commit()
    response = browser.post(
        f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "My long heartfelt reply"}
    )
    assert response.status_code == 401
    assert "Your session has expired" in response.text
    assert "My long heartfelt reply" in response.text


def test_the_wrong_method_is_a_clear_405(browser: Browser, db: Session) -> None:
    UserFactory()
    response = browser.get("/logout")
    assert response.status_code == 405
