"""`GET /receipt/<code>.png`: the QR code the back-office prints on the receipt.

The image carries a signed link (lookup.qr) that opens the full view, so it is a credential:
only the dossier's own office gets it, with its API key, and nothing caches it.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
from flask import Blueprint, Response, current_app, g
from qrcode.image.pure import PyPNGImage

from channels.web.api import error, require_key
from lookup import codes, qr
from lookup.service import Forbidden, Service

blueprint = Blueprint("receipt", __name__)


def service() -> Service:
    return current_app.extensions["tracuu.service"]


def receipt_url(code: str, version: int) -> str:
    token = qr.make_token(code, current_app.config["SECRET_KEY"], version)
    return f"{current_app.config['PUBLIC_BASE_URL']}/d/{token}"


def qr_png(text: str) -> bytes:
    # Level M survives a smudge or a fold; 8-pixel modules print sharp at 300 dpi.
    image = qrcode.make(text, image_factory=PyPNGImage, box_size=8, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


@blueprint.get("/receipt/<code>.png")
@require_key
def receipt_png(code: str) -> Any:
    try:
        codes.parse(code)
        receipt = service().receipt(code, g.key_agency)
    except codes.InvalidCode as invalid:
        return error(400, "invalid_code", "not a dossier code", field="code", problem=invalid.reason)
    except Forbidden as denied:
        return error(403, "forbidden", str(denied))
    if receipt is None:
        return error(404, "not_found", "No dossier with this code; PUT it first.", field="code")
    response = Response(qr_png(receipt_url(receipt.code, receipt.receipt_version)), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = "inline; filename=receipt-qr.png"
    return response
