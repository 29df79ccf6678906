"""The share link as a QR code for the printed sheet: an inline SVG made on the server (no
script, no image request, nothing but the link's ids in it)."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg


def share_qr_svg(url: str) -> str:
    """`url` as an SVG QR code, black on white, sized by the stylesheet (its viewBox only)."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    return re.sub(
        r'^<svg width="[^"]*" height="[^"]*"', '<svg aria-hidden="true" focusable="false"', svg
    )
