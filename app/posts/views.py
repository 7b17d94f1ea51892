from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

import moderation
from app.accounts.models import User
from app.db import after_commit, utcnow, write_transaction
from app.deps import (
    MAX_ID,
    AssessmentsDep,
    CurrentUser,
    LimiterDep,
    OptionalUser,
    PathId,
    PostableForum,
    ReadableForum,
    SessionDep,
    SettingsDep,
    Submission,
    after_response,
)
from app.forms.views import FormRejected
from app.forums import service as forums
from app.forums.models import Forum
from app.forums.service import ForumAccess
from app.i18n import N_, _
from app.moderation_queue import service as queue
from app.notifications import service as notifications
from app.pictures import service as pictures
from app.pictures.models import PostPicture
from app.pictures.uploads import PictureSlots
from app.posts import precheck, service
from app.posts.models import Post, PostEdit, PostStatus, ReactionKind, Thread
from app.templating import is_htmx, render

router = APIRouter()

# Generous hard caps on the raw fields; the friendly limits (settings.max_post_chars and
# max_title_chars) are checked in the view, so the member gets their text back with a message
# next to the field rather than a bare error.
BodyField = Annotated[str, Form(max_length=200_000)]
TitleField = Annotated[str, Form(max_length=20_000)]
IntentField = Annotated[str, Form(max_length=32)]
ConfirmedField = Annotated[bool, Form()]


def _thread_or_404(
    db: SessionDep,
    access: ForumAccess,
    thread_id: int,
    viewer: User | None,
    extra: tuple[Any, ...] = (),
) -> tuple[Thread, tuple[Any, ...]]:
    """The thread, if the viewer may see it, with the values of `extra` columns read beside it."""
    found = service.get_thread_with(db, access.forum, thread_id, extra)
    if found is None or not service.can_see_thread(
        found[0], viewer, is_moderator=access.can_moderate
    ):
        raise HTTPException(404, _("We couldn't find that thread in this forum."))
    return found


def _limit_posting(limiter: LimiterDep, settings: SettingsDep, user: User) -> None:
    limiter.hit(
        settings.post_limit_per_user,
        "post",
        str(user.id),
        message=_(
            "You're posting very quickly. Please wait a minute and try again; your text is safe in the form."
        ),
    )


def _draft_scorer(assessments: AssessmentsDep) -> moderation.Scorer | None:
    # The compose check uses the ML scorer only when it is fast enough to run in a request.
    return assessments.gate.scorer if assessments.inline else None


def _post_context(
    db: Session, forum: Forum, post_page: service.PostPage, viewer: User | None
) -> dict[str, Any]:
    """What every rendering of posts needs: author badges and crisis help for the author."""
    posts_on_page = post_page.posts
    return {
        "reactions": service.reactions_for(db, posts_on_page, viewer),
        "muted_ids": post_page.muted_ids,
        "pending_edit_ids": post_page.pending_edit_ids,
        # Worded once for the page, not once for every post's report form.
        "report_reasons": {code: _(label) for code, label in REPORT_REASONS.items()},
        "roles": post_page.roles,
        "urgent_ids": queue.urgent_post_ids(
            db, forum, posts_on_page, viewer.id if viewer else None
        ),
        "resources": forum.policy.crisis_resources,
        "pictures": pictures.for_posts(db, post_page.picture_post_ids),
        "medical_advice_ids": queue.medical_advice_post_ids(
            db, posts_on_page, viewer.id if viewer else None
        ),
    }


def _mark_read(sessions: Any, user_id: int, thread_id: int, thread_url: str) -> None:
    with write_transaction(sessions) as session:
        notifications.mark_read(session, user_id, thread_id)
        notifications.mark_thread_notifications_read(session, user_id, thread_id, thread_url)


def _thread_notice(reported: int | None, withdrawn: bool) -> str | None:
    if reported:
        return _("Thank you. A moderator will look at the post you reported.")
    if withdrawn:
        return _("Your post has been withdrawn. It is still in your data export.")
    return None


@router.get("/f/{slug}/new")
def new_thread_form(request: Request, access: PostableForum) -> Response:
    return render(
        request, "posts/new_thread.html", {"forum": access.forum, "errors": {}, "values": {}}
    )


@router.post("/f/{slug}/new")
def create_thread(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    assessments: AssessmentsDep,
    limiter: LimiterDep,
    user: CurrentUser,
    access: PostableForum,
    submission: Submission,
    slots: PictureSlots,
    title: TitleField = "",
    body: BodyField = "",
    intent: IntentField = "post",
    confirmed: ConfirmedField = False,
) -> Response:
    if earlier := submission.replay():
        return earlier
    errors = service.validate_post_input(
        body=body, max_body=settings.max_post_chars, title=title, max_title=settings.max_title_chars
    )
    taken = pictures.take(slots, settings, user.id)
    errors.update(taken.errors)
    values = {"title": title, "submission_key": submission.key, "pictures": taken.form_values()}
    context: dict[str, Any] = {
        "forum": access.forum,
        "errors": errors,
        "values": {**values, "body": body},
    }
    if errors:
        return render(request, "posts/new_thread.html", context, status_code=422)
    review = precheck.review_submission(
        body, access.forum, _draft_scorer(assessments), intent=intent, confirmed=confirmed
    )
    if not review.save:
        context.update(review=review, values={**values, "body": review.body})
        return render(
            request, "posts/new_thread.html", context, status_code=422 if review.blocked else 200
        )
    _limit_posting(limiter, settings, user)
    verdict = assessments.before_saving(db, user, access.forum, body)
    post = service.start_thread(db, access.forum, user, title, body)
    pictures.attach(db, post.id, taken.ready)
    assessments.after_saving(db, post, verdict)
    return submission.done(
        RedirectResponse(f"/f/{access.forum.slug}/t/{post.thread_id}", status_code=303)
    )


@router.post("/f/{slug}/draft-check")
def draft_check(
    request: Request,
    assessments: AssessmentsDep,
    access: PostableForum,
    body: BodyField = "",
    form_id: Annotated[str, Form(pattern=r"^[a-z-]{1,20}$")] = "reply",
) -> Response:
    """The compose form's live check (htmx, debounced): advice only, nothing is saved."""
    review = None
    if body.strip():
        review = precheck.review_submission(
            body, access.forum, _draft_scorer(assessments), intent="check", confirmed=False
        )
    return render(
        request,
        "posts/_draft_check.html",
        {"forum": access.forum, "review": review, "form_id": form_id},
    )


@router.get("/f/{slug}/t/{thread_id}")
def thread_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    access: ReadableForum,
    user: OptionalUser,
    background: BackgroundTasks,
    thread_id: PathId,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    reported: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    withdrawn: bool = False,
) -> Response:
    # The thread, and when this member last read it and whether they watch it: one statement.
    extra = (
        (
            notifications.last_read_query(user.id, Thread.id),
            notifications.watching_query(user.id, Thread.id),
        )
        if user is not None
        else ()
    )
    thread, values = _thread_or_404(db, access, thread_id, user, extra)
    last_read, watching = values if user is not None else (None, False)
    post_page = service.thread_posts(db, thread, user, page=page, per_page=settings.posts_per_page)
    viewer = request.state.viewer
    if user is not None and (
        last_read is None
        or thread.last_activity_at > last_read
        or (viewer is not None and viewer.unread_notifications)
    ):
        # Recorded after the response, in its own short transaction, and only when there was
        # something new: the page view itself never writes, and a quiet thread writes nothing.
        # Notifications about this thread (or its posts) are read with it.
        sessions, user_id = request.app.state.sessions, user.id
        url = f"/f/{access.forum.slug}/t/{thread_id}"
        after_response(background, lambda: _mark_read(sessions, user_id, thread_id, url))
    return render(
        request,
        "posts/thread.html",
        {
            "forum": access.forum,
            "access": access,
            "thread": thread,
            "page": post_page,
            "errors": {},
            "values": {},
            "notice": _thread_notice(reported, withdrawn),
            "last_read": last_read,
            "watching": bool(watching),
            **_post_context(db, access.forum, post_page, user),
        },
    )


@router.post("/f/{slug}/t/{thread_id}/reply")
def reply(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    assessments: AssessmentsDep,
    limiter: LimiterDep,
    user: CurrentUser,
    access: PostableForum,
    submission: Submission,
    slots: PictureSlots,
    thread_id: PathId,
    body: BodyField = "",
    intent: IntentField = "post",
    confirmed: ConfirmedField = False,
) -> Response:
    if earlier := submission.replay():
        return earlier
    thread, _values = _thread_or_404(db, access, thread_id, user)
    if thread.published_at is None:
        raise HTTPException(
            409, _("This thread is waiting for a moderator, so it can't take replies yet.")
        )
    errors = service.validate_post_input(body=body, max_body=settings.max_post_chars)
    taken = pictures.take(slots, settings, user.id)
    errors.update(taken.errors)
    review = None
    if not errors:
        review = precheck.review_submission(
            body, access.forum, _draft_scorer(assessments), intent=intent, confirmed=confirmed
        )
    if errors or (review is not None and not review.save):
        context: dict[str, Any] = {
            "forum": access.forum,
            "access": access,
            "thread": thread,
            "errors": errors,
            "review": review,
            "values": {
                "body": review.body if review else body,
                "submission_key": submission.key,
                "pictures": taken.form_values(),
            },
        }
        status = 422 if errors or (review and review.blocked) else 200
        if is_htmx(request):
            return render(
                request, "posts/thread.html", context, block="reply_form", status_code=status
            )
        post_page = service.thread_posts(
            db, thread, user, page=1_000_000, per_page=settings.posts_per_page
        )
        context.update(page=post_page, **_post_context(db, access.forum, post_page, user))
        return render(request, "posts/thread.html", context, status_code=status)
    _limit_posting(limiter, settings, user)
    # Assessed first, then saved and routed (published or queued) in one write transaction.
    verdict = assessments.before_saving(db, user, access.forum, body)
    post = service.add_reply(db, thread, user, body)
    pictures.attach(db, post.id, taken.ready)
    assessments.after_saving(db, post, verdict)
    # htmx follows this redirect and swaps in the single post; without JavaScript it is the page.
    return submission.done(RedirectResponse(f"/posts/{post.id}", status_code=303))


@router.get("/posts/{post_id}")
def post_permalink(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: OptionalUser,
    post_id: PathId,
) -> Response:
    post = db.get(Post, post_id)
    if post is None or not service.can_see_post(post, user):
        raise HTTPException(404, _("We couldn't find that post. It may have been removed."))
    thread = post.thread
    forum = thread.forum
    access = forums.access(db, forum, user)
    if not access.can_read:
        raise HTTPException(404, _("We couldn't find that post. It may have been removed."))
    if is_htmx(request):
        return render(
            request,
            "posts/thread.html",
            {
                "forum": forum,
                "thread": thread,
                "post": post,
                "access": access,
                "errors": {},
                "values": {},
                "reply_sent": True,
                **_post_context(db, forum, service.posts_for_page(db, forum, [post], user), user),
            },
            block="posted_reply",
        )
    page = service.page_of_post(db, post, user, settings.posts_per_page)
    suffix = f"?page={page}" if page > 1 else ""
    return RedirectResponse(
        f"/f/{forum.slug}/t/{thread.id}{suffix}#post-{post.id}", status_code=303
    )


REPORT_REASONS = {
    "worried": N_("I'm worried about this person's safety"),
    "hurtful": N_("It's hurtful or hostile"),
    "personal_details": N_("It shares personal details"),
    "medical_advice": N_("It gives risky medical advice"),
    "spam": N_("It's spam or advertising"),
    "other": N_("Something else"),
}


@router.post("/posts/{post_id}/report")
def report(
    db: SessionDep,
    user: CurrentUser,
    submission: Submission,
    post_id: PathId,
    reason: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if earlier := submission.replay():
        return earlier
    post = db.get(Post, post_id)
    if post is None or not service.can_see_post(post, user):
        raise HTTPException(404, _("We couldn't find that post. It may have been removed."))
    forum = post.thread.forum
    access = forums.access(db, forum, user)
    if not access.can_read or post.status is not PostStatus.PUBLISHED:
        raise HTTPException(404, _("We couldn't find that post. It may have been removed."))
    if reason not in REPORT_REASONS:
        raise FormRejected({"reason": _("Choose why you are reporting this post.")})
    if post.author_id == user.id:
        raise HTTPException(
            422, _("You can't report your own post. You can edit or withdraw it instead.")
        )
    queue.report_post(db, post, forum, user, reason, note.strip())
    return submission.done(
        RedirectResponse(
            f"/f/{forum.slug}/t/{post.thread_id}?reported={post.id}#post-{post.id}",
            status_code=303,
        )
    )


def _own_post(db: SessionDep, user: User, post_id: int) -> Post:
    post = db.get(Post, post_id)
    if post is None or post.author_id != user.id:
        raise HTTPException(404, _("We couldn't find that post among yours."))
    return post


EDITABLE = (PostStatus.PUBLISHED, *service.UNPUBLISHED_EDITABLE)


def _shown_pictures(db: Session, post: Post, pending: PostEdit | None) -> list[PostPicture]:
    """The pictures the edit form starts from: a waiting edit's, else the post's."""
    if pending is not None and pending.replaces_pictures:
        return pictures.for_edit(db, pending.id)
    return pictures.for_posts(db, [post.id]).get(post.id, [])


@router.get("/posts/{post_id}/edit")
def edit_form(
    request: Request, db: SessionDep, settings: SettingsDep, user: CurrentUser, post_id: PathId
) -> Response:
    post = _own_post(db, user, post_id)
    if post.status not in EDITABLE:
        raise HTTPException(409, _("This post can no longer be edited."))
    pending = service.pending_edit(db, post, unassessed_too=True)
    body = pending.body_source if pending else post.body_source
    slots = pictures.current_slots(settings, _shown_pictures(db, post, pending), user.id)
    return render(
        request,
        "posts/edit.html",
        {
            "post": post,
            "errors": {},
            "values": {"body": body, "pictures": slots},
            "pending": pending,
        },
    )


@router.post("/posts/{post_id}/edit")
def edit(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    assessments: AssessmentsDep,
    user: CurrentUser,
    slots: PictureSlots,
    post_id: PathId,
    body: BodyField = "",
) -> Response:
    post = _own_post(db, user, post_id)
    if post.status not in EDITABLE:
        raise HTTPException(409, _("This post can no longer be edited."))
    if not forums.access(db, post.thread.forum, user).can_post:
        raise HTTPException(403, _("You can't post in this forum at the moment."))
    errors = service.validate_post_input(body=body, max_body=settings.max_post_chars)
    taken = pictures.take(slots, settings, user.id)
    errors.update(taken.errors)
    if errors:
        return render(
            request,
            "posts/edit.html",
            {
                "post": post,
                "errors": errors,
                "values": {"body": body, "pictures": taken.form_values()},
                "pending": None,
            },
            status_code=422,
        )
    shown = pictures.for_posts(db, [post.id]).get(post.id, [])
    changed = None if pictures.unchanged(shown, taken.ready) else taken.ready
    pending = service.edit_post(db, post, body, changed)
    if pending is None:
        gate = assessments.gate
        after_commit(db, lambda: gate.rescore_post(post_id))
    else:
        assessments.after_saving_edit(db, pending)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


@router.post("/posts/{post_id}/withdraw")
def withdraw(db: SessionDep, settings: SettingsDep, user: CurrentUser, post_id: PathId) -> Response:
    post = _own_post(db, user, post_id)
    if post.status not in EDITABLE:
        raise HTTPException(409, _("This post has already been taken down."))
    was_published = post.status is PostStatus.PUBLISHED
    service.withdraw(db, post)
    query = "withdrawn=1"
    if was_published:  # a published post can be put back for a minute
        query += (
            f"&undo={post.id}-{service.undo_withdraw_token(settings.secret_key, post, utcnow())}"
        )
    return RedirectResponse(
        f"/f/{post.thread.forum.slug}/t/{post.thread_id}?{query}", status_code=303
    )


@router.post("/posts/{post_id}/restore")
def restore(
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    post_id: PathId,
    token: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    """Undo a withdrawal within a minute of it."""
    post = _own_post(db, user, post_id)
    if not service.can_undo_withdraw(settings.secret_key, post, token, utcnow()):
        raise HTTPException(
            409,
            _(
                "It's too late to undo this; the post stays withdrawn. Its text is in your data export."
            ),
        )
    service.restore_withdrawn(db, post)
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


@router.post("/posts/{post_id}/react")
def react(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    post_id: PathId,
    kind: Annotated[ReactionKind, Form()],
) -> Response:
    post = db.get(Post, post_id)
    if post is None or post.status is not PostStatus.PUBLISHED:
        raise HTTPException(404, _("We couldn't find that post."))
    forum = post.thread.forum
    if not forums.access(db, forum, user).can_post:
        raise HTTPException(403, _("Join this forum to react to posts."))
    service.toggle_reaction(db, post, user, kind)
    if is_htmx(request):
        return render(
            request,
            "posts/thread.html",
            {"post": post, "reactions": service.reactions_for(db, [post], user), "forum": forum},
            block="reaction_bar",
        )
    return RedirectResponse(f"/posts/{post.id}", status_code=303)
