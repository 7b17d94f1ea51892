"""Picture files for tests, made with Pillow the way a phone or a hostile sender would."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image


def photo(width: int = 3000, height: int = 1000, *, fmt: str = "JPEG") -> bytes:
    """A photo as a phone writes it: with the camera's make and the GPS position in EXIF."""
    image = Image.new("RGB", (width, height), (180, 60, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 0.0),
    }
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def transparent_png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 120, 200, 128)).save(out, "PNG")
    return out.getvalue()


def heic(width: int = 64, height: int = 48) -> bytes:
    from pillow_heif import from_pillow

    out = io.BytesIO()
    from_pillow(Image.new("RGB", (width, height), (10, 140, 60))).save(out, quality=60)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb(side: int = 12_000) -> bytes:
    """A valid PNG of side by side black pixels (1 bit each): a few KB that would decode to
    over a hundred megabytes."""
    row = b"\0" + b"\0" * (side // 8)
    squeeze = zlib.compressobj(9)
    data = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
# A JPEG that is also an HTML page and an archive: bytes after the picture's end marker.
POLYGLOT_PAYLOAD = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04payload"
