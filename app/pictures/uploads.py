"""Reading a compose form's picture slots (picture_n, alt_n, kept_n, drop_n) from the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from app.pictures.service import MAX_ALT, Slot


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


async def picture_slots(request: Request) -> list[Slot]:
    """The slots as sent. The whole request is bounded as it streams in (BodyLimit); a picture
    over its own limit, or pictures over the post's, are not even read from the spooled upload:
    `take` explains the limit from their sizes alone."""
    settings = request.app.state.settings
    form = await request.form()
    slots = []
    for number in range(1, settings.picture_max_count + 1):
        upload = form.get(f"picture_{number}")
        slot = Slot(
            number=number,
            alt=_text(form.get(f"alt_{number}"), MAX_ALT * 4),
            kept_token=_text(form.get(f"kept_{number}"), 200),
            drop=form.get(f"drop_{number}") == "1",
        )
        if isinstance(upload, UploadFile) and upload.filename:
            slot.filename = upload.filename[:200]
            slot.size = upload.size if upload.size is not None else _size(upload)
            slot.upload = upload
        slots.append(slot)
    total = sum(s.size for s in slots if not s.drop)
    for slot in slots:
        if (
            slot.upload is not None
            and not slot.drop
            and slot.size <= settings.picture_max_bytes
            and total <= settings.picture_post_max_bytes
        ):
            await slot.upload.seek(0)
            slot.data = await slot.upload.read()
    return slots


def _size(upload: UploadFile) -> int:
    upload.file.seek(0, 2)
    return upload.file.tell()


PictureSlots = Annotated[list[Slot], Depends(picture_slots)]
