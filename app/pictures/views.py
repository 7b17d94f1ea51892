from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from app.deps import Moderator, OptionalUser, PathId, SessionDep, SettingsDep
from app.forums import service as forums
from app.i18n import _
from app.moderation_queue import wellbeing
from app.pictures import service
from app.pictures.models import PostPicture
from app.posts import service as posts
from app.posts.models import Post

router = APIRouter()


@router.get("/pictures/{picture_id}")
def picture(
    db: SessionDep, settings: SettingsDep, user: OptionalUser, picture_id: PathId
) -> Response:
    """A post's picture, only for someone who may read the post: its forum's readers once it is
    published, its author meanwhile, and the forum's moderators (the review queue shows it). A
    picture in an edit still waiting is its author's and the moderators' only."""
    found = db.get(PostPicture, picture_id)
    post = db.get(Post, found.post_id) if found is not None else None
    if found is None or post is None:
        raise HTTPException(404, _("We couldn't find that picture."))
    access = forums.access(db, post.thread.forum, user)
    readable = access.can_read and posts.can_see_post(post, user)
    if found.edit_id is not None:
        readable = readable and user is not None and user.id == post.author_id
    if not (access.can_moderate or readable):
        raise HTTPException(404, _("We couldn't find that picture."))
    content = service.content_of(settings, found)
    if content is None:
        raise HTTPException(404, _("We couldn't find that picture."))
    return Response(
        content,
        media_type=found.content_type,
        headers={
            "x-content-type-options": "nosniff",
            "content-disposition": "inline",
            # Opened on its own, the file is inert: no script, no styles, no plugins.
            "content-security-policy": "default-src 'none'; img-src 'self'; sandbox",
            "cache-control": "private, max-age=3600",
        },
    )


@router.post("/moderation/wellbeing/pictures")
def picture_blurring(
    db: SessionDep, scope: Moderator, blur: Annotated[bool, Form()] = False
) -> Response:
    """The moderator's blur setting (the same one as on the wellbeing page), from the item card."""
    wellbeing.set_blur(db, scope.user, blur)
    return RedirectResponse("/moderation?notice=wellbeing", status_code=303)
