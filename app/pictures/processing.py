"""Turning an upload into a picture Harbour can safely keep: decoded and re-encoded with Pillow.

Nothing of the uploaded file survives but its pixels: no EXIF (phones write GPS there), no
comments, no trailing bytes (a polyglot's script or archive), no second frame. The format is read
from the content, never from the name or the declared type, and only photo formats are opened: an
SVG, HTML or anything else is refused before it is decoded. The pixel count is checked from the
header before any decoding (a decompression bomb is a few KB that would expand to gigabytes).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.i18n import _

try:  # HEIC/HEIF from phones, when the maintained decoder is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    READABLE_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "HEIF")
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    READABLE_FORMATS = ("JPEG", "PNG", "WEBP")

# What the file picker offers; the content decides what is accepted.
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.jpg,.jpeg,.png,.webp,.heic,.heif"


class PictureRefused(Exception):
    """A file that is not a picture Harbour accepts; the message says why, for the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Picture:
    content: bytes
    content_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"


def reencode(data: bytes, *, max_pixels: int, max_side: int) -> Picture:
    """The picture in `data`, re-encoded and no larger than `max_side` on its longer side."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=READABLE_FORMATS) as opened:
                if opened.width * opened.height > max_pixels:
                    raise PictureRefused(_too_large())
                opened.seek(0)  # the first frame only
                image = ImageOps.exif_transpose(opened)  # keep it the right way up, then drop EXIF
                image.load()
    except PictureRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PictureRefused(_too_large()) from None
    except UnidentifiedImageError:
        raise PictureRefused(_not_a_picture()) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # Truncated or malformed data that claims to be a picture.
        raise PictureRefused(_not_a_picture()) from None
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    out = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        content_type = "image/png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        content_type = "image/jpeg"
    return Picture(out.getvalue(), content_type, image.width, image.height)


def _too_large() -> str:
    return _(
        "This picture has too many pixels for us to open safely. Try a screenshot of it, "
        "or a smaller copy."
    )


def _not_a_picture() -> str:
    return _(
        "This file isn't a picture we can use. Attach a photo or screenshot "
        "(JPEG, PNG, WebP or HEIC)."
    )
