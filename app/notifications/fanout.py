"""Who hears about a newly published post: the thread's author, watchers, and @mentioned members."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import MemberMute, User
from app.forums.models import Forum, Membership, MembershipStatus, Visibility
from app.notifications.models import Watch
from app.notifications.service import notify
from app.posts.models import Post, PostStatus, Thread
from app.posts.rendering import MENTION

# One post can call on a few people, not a whole forum (the form says so before posting).
MAX_MENTIONS = 10


def mentioned_keys(body: str) -> list[str]:
    """The handles a post mentions, each once, in order."""
    return list(dict.fromkeys(m.casefold() for m in MENTION.findall(body)))


def _readers(session: Session, forum: Forum, user_ids: set[int]) -> set[int]:
    """Of these members, those who may read the forum (mentions never leak a members-only post)."""
    if forum.visibility is Visibility.PUBLIC_READ or not user_ids:
        return user_ids
    return set(
        session.scalars(
            select(Membership.user_id).where(
                Membership.forum_id == forum.id,
                Membership.user_id.in_(user_ids),
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
    )


def _muting(session: Session, author_id: int) -> set[int]:
    return set(
        session.scalars(select(MemberMute.user_id).where(MemberMute.muted_user_id == author_id))
    )


def _quoted_authors(session: Session, post: Post) -> set[int]:
    """Members whose earlier words in this thread the post quotes (markdown "> " lines)."""
    quoted = " ".join(
        line.lstrip(">").strip() for line in post.body_source.splitlines() if line.startswith(">")
    )
    needle = " ".join(quoted.split())[:60].casefold()
    if len(needle) < 15:
        return set()
    earlier = session.execute(
        select(Post.author_id, Post.body_source).where(
            Post.thread_id == post.thread_id,
            Post.id != post.id,
            Post.status == PostStatus.PUBLISHED,
        )
    ).all()
    return {author for author, body in earlier if needle in " ".join(body.split()).casefold()}


def post_published(session: Session, post: Post) -> None:
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    forum = session.get(Forum, thread.forum_id)
    assert forum is not None
    author = session.get(User, post.author_id)
    handle = author.handle if author and not author.deleted_at else None
    skip = {post.author_id} | _muting(session, post.author_id)
    told: set[int] = set()

    mentioned_handles = mentioned_keys(post.body_source)[:MAX_MENTIONS]
    if mentioned_handles:
        mentioned = set(
            session.scalars(select(User.id).where(User.handle_key.in_(mentioned_handles)))
        )
        for user_id in _readers(session, forum, mentioned - skip):
            notify(
                session,
                user_id,
                "post.mention",
                url=f"/posts/{post.id}",
                handle=handle,
                title=thread.title,
            )
            told.add(user_id)

    for user_id in _readers(session, forum, _quoted_authors(session, post) - skip - told):
        notify(
            session,
            user_id,
            "post.quote",
            url=f"/posts/{post.id}",
            handle=handle,
            title=thread.title,
        )
        told.add(user_id)

    if post.is_opening:
        watchers = set(session.scalars(select(Watch.user_id).where(Watch.forum_id == forum.id)))
        for user_id in _readers(session, forum, watchers - skip - told):
            notify(
                session,
                user_id,
                "thread.new",
                url=f"/f/{forum.slug}/t/{thread.id}",
                forum=forum.name,
                title=thread.title,
            )
        return

    watchers = set(session.scalars(select(Watch.user_id).where(Watch.thread_id == thread.id)))
    # The thread's author is among its watchers unless they stopped watching it.
    for user_id in _readers(session, forum, watchers - skip - told):
        notify(
            session,
            user_id,
            "post.reply",
            url=f"/posts/{post.id}",
            handle=handle,
            title=thread.title,
        )
