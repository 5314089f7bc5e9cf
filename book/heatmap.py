"""A heatmap of a small matrix as an inline PNG: no plotting library, no network."""

from __future__ import annotations

import base64
import html
import struct
import zlib

import numpy as np


def diverging_rgb(values: np.ndarray, limit: float) -> np.ndarray:
    """Map values in [-limit, limit] to blue (negative) – white (0) – red (positive), as uint8 RGB."""
    t = np.clip(values / limit, -1.0, 1.0)[..., None]
    white = np.array([247.0, 247.0, 247.0])
    red = np.array([178.0, 24.0, 43.0])
    blue = np.array([33.0, 102.0, 172.0])
    rgb = np.where(t >= 0, white + t * (red - white), white + (-t) * (blue - white))
    return rgb.round().astype(np.uint8)


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an [height, width, 3] uint8 array as a PNG file."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def heatmap_img(matrix: np.ndarray, limit: float, alt: str, row_px: int = 14) -> str:
    """An <img> tag showing `matrix` (rows = tokens, columns = dimensions), each row `row_px` high, pixels crisp."""
    if matrix.size == 0:
        return ""
    data = base64.b64encode(png_bytes(diverging_rgb(matrix, limit))).decode("ascii")
    return (
        f'<img class="ttv-heatmap" alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}" '
        f'style="width:100%;height:{matrix.shape[0] * row_px}px;image-rendering:pixelated">'
    )
