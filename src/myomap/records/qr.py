"""QR codes made on the server, as SVG in a data: URI for an <img>: nothing outside sees
what they hold (a two-factor secret, a feedback pad's link), and the Content-Security-
Policy, which refuses inline markup's styles, allows an image."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")
