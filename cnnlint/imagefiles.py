"""Image files of the analysed project, read as data: the size and channel count in a PNG, JPEG, GIF,
BMP or WebP header, as PIL would open the file (``Image.open(path)`` keeps them).

Only the header is read (a few kilobytes at most), nothing is decoded; a file that is not one of
these formats, or is damaged, gives None: unknown, and the rules stay silent about it.
"""
from __future__ import annotations

import struct
from pathlib import Path
from typing import NamedTuple

READ_AT_MOST = 1 << 20  # a JPEG's frame header may follow a large EXIF thumbnail


class ImageHeader(NamedTuple):
    width: int
    height: int
    channels: int  # of the mode PIL opens it in, as numpy sees it: L, P (palette indices) 1, LA 2, RGB 3, RGBA 4


def header(path: Path) -> ImageHeader | None:
    try:
        with open(path, "rb") as handle:
            start = handle.read(32)
            if start.startswith(b"\x89PNG\r\n\x1a\n"):
                return _png(start)
            if start.startswith(b"\xff\xd8"):
                return _jpeg(start + handle.read(READ_AT_MOST))
            if start[:6] in (b"GIF87a", b"GIF89a"):
                width, height = struct.unpack("<HH", start[6:10])
                return ImageHeader(width, height, 1)  # P
            if start.startswith(b"BM"):
                return _bmp(start)
            if start[:4] == b"RIFF" and start[8:12] == b"WEBP":
                return _webp(start + handle.read(64))
    except (OSError, struct.error):
        pass
    return None


# PNG colour types: gray (L), RGB, palette (P), gray + alpha (LA), RGBA
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _png(data: bytes) -> ImageHeader | None:
    if data[12:16] != b"IHDR":
        return None
    width, height, _, colour = struct.unpack(">IIBB", data[16:26])
    channels = _PNG_CHANNELS.get(colour)
    return ImageHeader(width, height, channels) if channels else None


def _jpeg(data: bytes) -> ImageHeader | None:
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            height, width, components = struct.unpack(">HHB", data[i + 5:i + 10])
            # 1 component is L, 3 RGB (YCbCr), 4 CMYK: PIL opens CMYK with 4 channels
            return ImageHeader(width, height, components) if components in (1, 3, 4) else None
        if marker == 0xDA:  # the image data starts: no frame header before it
            return None
        i += 2 + length
    return None


def _bmp(data: bytes) -> ImageHeader | None:
    if len(data) < 30:
        return None
    width, height, _, bits = struct.unpack("<iiHH", data[18:30])
    channels = {24: 3, 16: 3, 8: 1, 4: 1, 1: 1}.get(bits)  # 8, 4 bits: P; 32: RGB or RGBA, by its masks
    return ImageHeader(abs(width), abs(height), channels) if channels else None


def _webp(data: bytes) -> ImageHeader | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageHeader(width & 0x3FFF, height & 0x3FFF, 3)
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        alpha = (bits >> 28) & 1
        return ImageHeader((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, 4 if alpha else 3)
    if chunk == b"VP8X":
        alpha = data[20] & 0x10
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageHeader(width, height, 4 if alpha else 3)
    return None
