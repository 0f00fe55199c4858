"""The receipt's QR image: only for the dossier's own office, and it carries the signed link."""

from __future__ import annotations

import png
import qrcode

from lookup import qr
from tests.conftest import AGENCY

READY = "000.00.04.H40-261102-0001"
BOX, BORDER = 8, 4


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def modules(png_bytes: bytes) -> list[list[bool]]:
    """The dark/light modules read back from the picture's pixels (centre of each box)."""
    width, height, rows, info = png.Reader(bytes=png_bytes).asRGBA8()
    pixels = [list(row) for row in rows]
    count = width // BOX - 2 * BORDER
    return [[pixels[(BORDER + y) * BOX + BOX // 2][((BORDER + x) * BOX + BOX // 2) * 4] < 128
             for x in range(count)] for y in range(count)]


def expected_modules(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def test_receipt_png_carries_the_signed_link(app, client, demo, api_key):
    response = client.get(f"/receipt/{READY}.png", headers=auth(api_key))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "no-store"
    url = f"http://localhost/d/{qr.make_token(READY, app.config['SECRET_KEY'])}"
    assert modules(response.data) == expected_modules(url)
    # The same code typed another way gives the same image.
    again = client.get("/receipt/000.00.04.h40-261102-0001.png", headers=auth(api_key))
    assert again.data == response.data
    # And the link opens the full view.
    assert client.get(url.removeprefix("http://localhost")).status_code == 200


def test_receipt_png_needs_the_offices_own_key(client, demo, api_key, other_api_key):
    assert client.get(f"/receipt/{READY}.png").status_code == 401
    assert client.get(f"/receipt/{READY}.png", headers=auth("tk_wrong")).status_code == 401
    other = client.get(f"/receipt/{READY}.png", headers=auth(other_api_key))
    assert other.status_code == 403 and other.is_json
    unknown = client.get(f"/receipt/{AGENCY}-261102-0999.png", headers=auth(api_key))
    assert unknown.status_code == 404 and unknown.is_json
    bad = client.get("/receipt/1.000948.H38.png", headers=auth(api_key))
    assert bad.status_code == 400 and bad.get_json()["problem"] == "procedure_code"
