"""What Xvfb shows, read from the framebuffer file it keeps with `-fbdir` (X Window Dump
format): a screenshot of a real X server with no screenshot tool installed."""

from __future__ import annotations

import struct
from pathlib import Path

from PIL import Image

_FIELDS = 25  # CARD32s in an XWD header before the window name


def screen_image(path: Path) -> Image.Image:
    data = path.read_bytes()
    header = struct.unpack(f">{_FIELDS}I", data[: _FIELDS * 4])
    header_size, width, height = header[0], header[4], header[5]
    bits_per_pixel, bytes_per_line, ncolors = header[11], header[12], header[19]
    if bits_per_pixel != 32:
        raise ValueError(f"expected a 32-bit screen (Xvfb -screen 0 WxHx24), not {bits_per_pixel}")
    pixels = data[header_size + ncolors * 12 :]
    # Xvfb writes in this machine's byte order: on x86 and ARM, blue green red and padding.
    return Image.frombuffer("RGB", (width, height), pixels, "raw", "BGRX", bytes_per_line, 1)
