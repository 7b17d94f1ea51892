"""Pictures on posts: taking them from a compose form, attaching them, finding them, deleting them.

A picture is re-encoded and put in the store as soon as it arrives, even when the form comes back
(advice on the draft, a mistake in another field): the form then carries a signed token for it,
so the member never has to choose it again. Only attaching it to a saved post makes it visible.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import after_commit
from app.i18n import _
from app.pictures.models import PostPicture
from app.pictures.processing import PictureRefused, reencode
from app.pictures.storage import KEY, PictureStore, store_for
from app.security import signature, signature_is_valid

MAX_ALT = 300


@dataclass(frozen=True)
class Staged:
    """A re-encoded picture in the store, not yet attached to a post."""

    key: str
    width: int
    height: int
    byte_size: int

    @property
    def content_type(self) -> str:
        return "image/png" if self.key.endswith(".png") else "image/jpeg"

    def token(self, secret_key: str, user_id: int) -> str:
        parts = (self.key, self.width, self.height, self.byte_size)
        sig = signature(secret_key, "picture", user_id, *parts)[:32]
        return ":".join(str(p) for p in (*parts, sig))

    @classmethod
    def from_token(cls, token: str, secret_key: str, user_id: int) -> Staged | None:
        """The picture a form's hidden field names, if this server signed it for this member."""
        try:
            key, width, height, size, sig = token.split(":")
            parts = (key, int(width), int(height), int(size))
        except ValueError:
            return None
        if not KEY.match(key) or not signature_is_valid(
            secret_key, sig, "picture", user_id, *parts, length=32
        ):
            return None
        return cls(key, parts[1], parts[2], parts[3])


@dataclass
class Slot:
    """One "Picture n" part of a compose form: a new file, or one already taken, and its alt text."""

    number: int
    alt: str = ""
    filename: str = ""
    size: int = 0  # as sent, known before the file is read
    upload: Any = None  # the spooled upload, read into `data` only when within the limits
    data: bytes = b""
    kept_token: str = ""
    drop: bool = False
    staged: Staged | None = None
    token: str = ""
    picture_id: int | None = None  # a picture the post already shows (the edit form)


@dataclass
class Taken:
    """What a compose form's pictures came to: ready ones (with alt text), and what to fix."""

    slots: list[Slot]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> list[tuple[Staged, str]]:
        return [(s.staged, s.alt.strip()) for s in self.slots if s.staged is not None]

    def form_values(self) -> list[dict[str, Any]]:
        """Each slot as the form shows it again: the alt text typed, a picture already taken."""
        return [
            {
                "number": s.number,
                "alt": s.alt,
                "token": s.token,
                "width": s.staged.width if s.staged else None,
                "height": s.staged.height if s.staged else None,
                "picture_id": s.picture_id,
            }
            for s in self.slots
        ]


def empty_slots(settings: Settings) -> list[dict[str, Any]]:
    return Taken([Slot(n) for n in range(1, settings.picture_max_count + 1)]).form_values()


def current_slots(
    settings: Settings, shown: Sequence[PostPicture], user_id: int
) -> list[dict[str, Any]]:
    """An edit form's slots: the pictures the post shows now, each kept unless the member
    removes it (with its description to change), then empty slots for more."""
    slots = [Slot(n) for n in range(1, settings.picture_max_count + 1)]
    for slot, picture in zip(slots, shown, strict=False):
        slot.staged = Staged(picture.storage_key, picture.width, picture.height, picture.byte_size)
        slot.token = slot.staged.token(settings.secret_key, user_id)
        slot.alt = picture.alt_text
        slot.picture_id = picture.id
    return Taken(slots).form_values()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def take(slots: list[Slot], settings: Settings, user_id: int) -> Taken:
    """Check, re-encode and store each picture of a compose form; nothing is attached yet."""
    taken = Taken(slots)
    total = sum(s.size for s in slots if not s.drop)
    if total > settings.picture_post_max_bytes:
        taken.errors["picture_1"] = _(
            "These pictures add up to {size} MB; one post can take {limit} MB. "
            "Attach fewer or smaller pictures; your text is kept."
        ).format(size=_megabytes(total), limit=_megabytes(settings.picture_post_max_bytes))
        return taken
    store = store_for(settings)
    for slot in slots:
        if slot.drop:
            continue
        if slot.size:
            slot.staged = _stage(slot, settings, store, taken.errors)
        elif slot.kept_token:
            slot.staged = Staged.from_token(slot.kept_token, settings.secret_key, user_id)
        if slot.staged is None:
            continue
        slot.token = slot.staged.token(settings.secret_key, user_id)
        if not slot.alt.strip():
            taken.errors[f"alt_{slot.number}"] = _(
                "Describe picture {number} in a few words, for people who can't see it."
            ).format(number=slot.number)
        elif len(slot.alt.strip()) > MAX_ALT:
            taken.errors[f"alt_{slot.number}"] = _(
                "Keep the description of picture {number} under {limit} characters."
            ).format(number=slot.number, limit=MAX_ALT)
    return taken


def _stage(
    slot: Slot, settings: Settings, store: PictureStore, errors: dict[str, str]
) -> Staged | None:
    if slot.size > settings.picture_max_bytes:
        errors[f"picture_{slot.number}"] = _(
            "Picture {number} is {size} MB; the limit is {limit} MB for each picture."
        ).format(
            number=slot.number,
            size=_megabytes(slot.size),
            limit=_megabytes(settings.picture_max_bytes),
        )
        return None
    try:
        picture = reencode(
            slot.data, max_pixels=settings.picture_max_pixels, max_side=settings.picture_max_side
        )
    except PictureRefused as refused:
        errors[f"picture_{slot.number}"] = _("Picture {number}: {problem}").format(
            number=slot.number, problem=refused.message
        )
        return None
    key = f"{picture.sha256}.{picture.extension}"
    store.put(key, picture.content)
    return Staged(key, picture.width, picture.height, len(picture.content))


def attach(
    session: Session,
    post_id: int,
    ready: Sequence[tuple[Staged, str]],
    *,
    edit_id: int | None = None,
) -> None:
    """Attach pictures to a post, or to an author's waiting edit of it (`edit_id`)."""
    for position, (staged, alt) in enumerate(ready):
        session.add(
            PostPicture(
                post_id=post_id,
                edit_id=edit_id,
                position=position,
                storage_key=staged.key,
                content_type=staged.content_type,
                width=staged.width,
                height=staged.height,
                byte_size=staged.byte_size,
                alt_text=alt[:MAX_ALT],
            )
        )
    session.flush()


SHOWN = PostPicture.edit_id.is_(None)  # what the post shows: not an edit's pictures in waiting


def for_posts(session: Session, post_ids: Iterable[int]) -> dict[int, list[PostPicture]]:
    """Every post's pictures, in order, in one query."""
    ids = list(post_ids)
    if not ids:
        return {}
    found: dict[int, list[PostPicture]] = defaultdict(list)
    for picture in session.scalars(
        select(PostPicture)
        .where(PostPicture.post_id.in_(ids), SHOWN)
        .order_by(PostPicture.post_id, PostPicture.position)
    ):
        found[picture.post_id].append(picture)
    return dict(found)


def for_edit(session: Session, edit_id: int) -> list[PostPicture]:
    """The pictures an author's waiting edit would put on the post."""
    return list(
        session.scalars(
            select(PostPicture).where(PostPicture.edit_id == edit_id).order_by(PostPicture.position)
        )
    )


def has_pictures(session: Session, post_id: int) -> bool:
    return (
        session.scalar(select(PostPicture.id).where(PostPicture.post_id == post_id, SHOWN).limit(1))
        is not None
    )


def unchanged(shown: Sequence[PostPicture], ready: Sequence[tuple[Staged, str]]) -> bool:
    """Whether a form's pictures are the ones shown, in the same order with the same words."""
    return [(p.storage_key, p.alt_text) for p in shown] == [
        (staged.key, alt[:MAX_ALT]) for staged, alt in ready
    ]


def adds_pictures(session: Session, post_id: int, edit_id: int) -> bool:
    """Whether an edit brings a picture the post does not already show (a moderator has not
    seen it), rather than only removing, reordering or describing them."""
    shown = set(
        session.scalars(
            select(PostPicture.storage_key).where(PostPicture.post_id == post_id, SHOWN)
        )
    )
    brought = set(
        session.scalars(select(PostPicture.storage_key).where(PostPicture.edit_id == edit_id))
    )
    return bool(brought - shown)


def replace(session: Session, post_id: int, ready: Sequence[tuple[Staged, str]]) -> None:
    """The post shows these pictures from now on (an edit of a post not yet published)."""
    keys = set(
        session.scalars(
            select(PostPicture.storage_key).where(PostPicture.post_id == post_id, SHOWN)
        )
    )
    session.execute(delete(PostPicture).where(PostPicture.post_id == post_id, SHOWN))
    attach(session, post_id, ready)
    _delete_unused_files(session, keys)


def apply_edit(session: Session, post_id: int, edit_id: int) -> None:
    """An author's edit is applied: its pictures take the place of those the post showed."""
    keys = set(
        session.scalars(
            select(PostPicture.storage_key).where(PostPicture.post_id == post_id, SHOWN)
        )
    )
    session.execute(delete(PostPicture).where(PostPicture.post_id == post_id, SHOWN))
    session.execute(update(PostPicture).where(PostPicture.edit_id == edit_id).values(edit_id=None))
    session.flush()
    _delete_unused_files(session, keys)


def discard_edit(session: Session, edit_id: int) -> None:
    """An edit that will never be applied: its pictures go, files too unless still used."""
    keys = set(
        session.scalars(select(PostPicture.storage_key).where(PostPicture.edit_id == edit_id))
    )
    if keys:
        session.execute(delete(PostPicture).where(PostPicture.edit_id == edit_id))
        _delete_unused_files(session, keys)


def delete_for_posts(session: Session, post_ids: Sequence[int]) -> None:
    """Delete these posts' pictures (shown or waiting in an edit); each file goes too, after the
    commit, unless another post still shows the same picture."""
    if not post_ids:
        return
    keys = set(
        session.scalars(select(PostPicture.storage_key).where(PostPicture.post_id.in_(post_ids)))
    )
    if not keys:
        return
    session.execute(delete(PostPicture).where(PostPicture.post_id.in_(post_ids)))
    _delete_unused_files(session, keys)


def _delete_unused_files(session: Session, keys: set[str]) -> None:
    """Delete, after the commit, the files of these keys that no picture row uses any more."""
    if not keys:
        return
    session.flush()
    still_used = set(
        session.scalars(
            select(PostPicture.storage_key).where(PostPicture.storage_key.in_(keys)).distinct()
        )
    )
    settings = session.info.get("settings")
    if isinstance(settings, Settings) and (unused := sorted(keys - still_used)):
        store = store_for(settings)

        def delete_files() -> None:
            for key in unused:
                store.delete(key)

        after_commit(session, delete_files)


def content_of(settings: Settings, picture: PostPicture) -> bytes | None:
    return store_for(settings).get(picture.storage_key)


def for_export(settings: Settings, pictures: Sequence[PostPicture]) -> list[dict[str, Any]]:
    """A member's pictures in their data export, the files themselves included."""
    store = store_for(settings)
    exported = []
    for picture in pictures:
        content = store.get(picture.storage_key) or b""
        exported.append(
            {
                "alt_text": picture.alt_text,
                "width": picture.width,
                "height": picture.height,
                "data_url": f"data:{picture.content_type};base64,"
                + base64.b64encode(content).decode(),
            }
        )
    return exported
