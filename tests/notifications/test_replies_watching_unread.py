"""Being told about replies and mentions, watching threads and forums, unread markers, unanswered threads."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.forums.models import MembershipRole, ModerationMode, Visibility
from app.notifications.models import ThreadRead
from tests.conftest import Browser
from tests.factories import (
    ForumFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
    member_of,
    thread_with_opening_post,
)


def test_the_thread_author_hears_of_a_published_reply_but_not_a_held_one(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.HOLD_FLAGGED)
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai, title="Night hypos")
    author, sam = make_browser(), make_browser()
    author.sign_in("kai@example.org")
    sam.sign_in("sam@example.org")
    sam.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "You're pathetic.", "confirmed": "1"})
    assert "replied in" not in author.get("/notifications").text
    sam.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "A sensor alarm changed my nights."})
    assert "sam replied in “Night hypos”" in author.get("/notifications").text


def test_a_member_watches_the_thread_they_start_and_can_stop(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.POST_MODERATE)
    member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="sam@example.org", handle="sam")
    kai, sam = make_browser(), make_browser()
    kai.sign_in("kai@example.org")
    sam.sign_in("sam@example.org")
    started = kai.post(
        f"/f/{forum.slug}/new", {"title": "Pump settings", "body": "How do you set a basal rate?"}
    )
    thread_url = started.url.path
    assert "Stop watching this thread" in kai.get(thread_url).text
    sam.post(thread_url + "/reply", {"body": "I started with my nurse's numbers."})
    assert "sam replied in “Pump settings”" in kai.get("/notifications").text
    kai.post(thread_url + "/watch")
    assert "Watch this thread" in kai.get(thread_url).text
    kai.post("/notifications/read")
    sam.post(thread_url + "/reply", {"body": "Then we adjusted it every week."})
    assert "New" not in kai.get("/notifications").text.split("notification-list")[-1]
    assert kai.get(thread_url).text.count('class="post post--published"') == 3


def test_mentions_reach_only_members_who_can_read_the_forum(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(visibility=Visibility.MEMBERS_ONLY)
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="jo@example.org", handle="supporter_jo")
    UserFactory(email="outsider@example.org", handle="outsider")
    thread = thread_with_opening_post(forum, kai)
    writer, jo, outsider = make_browser(), make_browser(), make_browser()
    writer.sign_in("kai@example.org")
    writer.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": "@supporter_jo and @outsider, any tips for the first week?"},
    )
    jo.sign_in("jo@example.org")
    outsider.sign_in("outsider@example.org")
    assert "kai mentioned you" in jo.get("/notifications").text
    assert "mentioned you" not in outsider.get("/notifications").text


def test_watchers_hear_of_new_threads_and_replies(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="pat@example.org", handle="pat")
    thread = thread_with_opening_post(forum, kai, title="Rehab week one")
    watcher, writer = make_browser(), make_browser()
    watcher.sign_in("pat@example.org")
    writer.sign_in("kai@example.org")
    assert "Watch this thread" in watcher.get(f"/f/{forum.slug}/t/{thread.id}").text
    watcher.post(f"/f/{forum.slug}/t/{thread.id}/watch")
    watcher.post(f"/f/{forum.slug}/watch")
    writer.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Week two was easier."})
    writer.post(
        f"/f/{forum.slug}/new",
        {"title": "Back to work after a heart attack", "body": "How did you manage it?"},
    )
    page = watcher.get("/notifications").text
    assert "kai replied in “Rehab week one”" in page
    assert "New thread in" in page and "Back to work after a heart attack" in page


def test_unread_markers_and_new_since_last_visit(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai, title="Fluid limits")
    reader, writer = make_browser(), make_browser()
    reader.sign_in("kai@example.org")
    writer.sign_in("sam@example.org")
    assert "Unread</span>" in reader.get(f"/f/{forum.slug}").text
    reader.get(f"/f/{forum.slug}/t/{thread.id}")  # read it now
    assert "New replies" not in reader.get(f"/f/{forum.slug}").text
    writer.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Ice lollies help me a lot."})
    assert "New replies" in reader.get(f"/f/{forum.slug}").text
    assert "New since your last visit" in reader.get(f"/f/{forum.slug}/t/{thread.id}").text
    kais_read = select(ThreadRead.read_at).where(ThreadRead.user_id == kai.id)
    read_at = db.scalars(kais_read).one()
    reader.get(f"/f/{forum.slug}/t/{thread.id}")  # nothing new: re-reading writes nothing
    db.expire_all()
    assert db.scalars(kais_read).one() == read_at
    assert "New since your last visit" not in reader.get(f"/f/{forum.slug}/t/{thread.id}").text


def test_unanswered_threads_and_the_supporters_view(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, MembershipRole.SUPPORTER, email="jo@example.org")
    thread_with_opening_post(forum, kai, title="Fresh question")
    old = ThreadFactory(
        forum=forum,
        author=kai,
        title="Nobody answered me",
        published_at=utcnow() - timedelta(hours=30),
    )
    PostFactory(thread=old, author=kai, is_opening=True)
    member, supporter = make_browser(), make_browser()
    member.sign_in("kai@example.org")
    supporter.sign_in("jo@example.org")
    page = member.get(f"/f/{forum.slug}/unanswered").text
    assert "Nobody answered me" in page and "Fresh question" in page
    view = supporter.get("/supporters").text
    assert "Nobody answered me" in view and "Fresh question" not in view  # only past the 24 hours
    assert member.get("/supporters").status_code == 403


def test_a_member_is_told_when_someone_quotes_them(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    jo = member_of(forum, email="jo@example.org", handle="jo")
    member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai, title="Sleep after dialysis")
    PostFactory(
        thread=thread,
        author=jo,
        body_source="A short nap straight after dialysis helps me more than anything.",
    )
    sam = make_browser()
    sam.sign_in("sam@example.org")
    sam.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": "> A short nap straight after dialysis helps me\n\nSame here, thank you!"},
    )
    quoted = make_browser()
    quoted.sign_in("jo@example.org")
    assert "sam quoted you in “Sleep after dialysis”" in quoted.get("/notifications").text


def unread_sentences(browser: Browser) -> list[str]:
    page = browser.get("/notifications").text
    return re.findall(r'<li class="unread">.*?<a href="[^"]+">([^<]+)</a>', page, re.S)


def replies_in_two_threads(
    make_browser: Callable[[], Browser], second_reply: str
) -> tuple[Browser, Browser, str]:
    """Sam replies in two of Kai's threads; Kai's and Sam's browsers, and the second thread."""
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="sam@example.org", handle="sam")
    first = thread_with_opening_post(forum, kai, title="Night hypos")
    second = thread_with_opening_post(forum, kai, title="Clinic letters")
    author, sam = make_browser(), make_browser()
    author.sign_in("kai@example.org")
    sam.sign_in("sam@example.org")
    sam.post(f"/f/{forum.slug}/t/{first.id}/reply", {"body": "A sensor alarm changed my nights."})
    sam.post(f"/f/{forum.slug}/t/{second.id}/reply", {"body": second_reply})
    return author, sam, f"/f/{forum.slug}/t/{second.id}"


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    author, sam, _second = replies_in_two_threads(make_browser, "Mine took three weeks to arrive.")
    assert unread_sentences(author) == [
        "sam replied in “Clinic letters”.",
        "sam replied in “Night hypos”.",
    ]
    link = re.search(
        r'href="(/notifications/\d+)">sam replied in “Night hypos”',
        author.get("/notifications").text,
    )
    assert link
    opened = author.get(link.group(1), follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/posts/")
    assert unread_sentences(author) == ["sam replied in “Clinic letters”."]
    # Someone else's notification is not theirs to open.
    assert sam.get(link.group(1)).status_code == 404


def test_reading_a_thread_reads_its_notifications(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    author, _sam, second = replies_in_two_threads(make_browser, "@kai mine took three weeks.")
    assert len(unread_sentences(author)) == 2  # a mention (told once, not also as a reply)
    author.get(second)
    assert unread_sentences(author) == ["sam replied in “Night hypos”."]


def test_a_mention_links_to_the_members_profile(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="jo@example.org", handle="supporter_jo")
    thread = thread_with_opening_post(forum, kai)
    writer = make_browser()
    writer.sign_in("kai@example.org")
    writer.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Thanks @supporter_jo."})
    page = writer.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert re.search(r'<a href="/members/supporter_jo"[^>]*>@supporter_jo</a>\.', page)
    assert "supporter_jo" in writer.get("/members/supporter_jo").text
