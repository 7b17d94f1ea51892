"""Reading a compose form's picture slots (picture_n, alt_n, kept_n, drop_n) from the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from app.pictures.service import MAX_ALT, Slot


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


async def picture_slots(request: Request) -> list[Slot]:
    """The slots as sent; the whole request is already bounded (upload_request_max_bytes)."""
    settings = request.app.state.settings
    form = await request.form()
    slots = []
    for number in range(1, settings.picture_max_count + 1):
        upload = form.get(f"picture_{number}")
        data = b""
        filename = ""
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            filename = upload.filename[:200]
        slots.append(
            Slot(
                number=number,
                alt=_text(form.get(f"alt_{number}"), MAX_ALT * 4),
                filename=filename,
                data=data,
                kept_token=_text(form.get(f"kept_{number}"), 200),
                drop=form.get(f"drop_{number}") == "1",
            )
        )
    return slots


PictureSlots = Annotated[list[Slot], Depends(picture_slots)]
