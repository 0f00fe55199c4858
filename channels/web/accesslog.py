"""A gunicorn access logger that never writes a dossier code, PIN or QR token in full.

Query strings (the JSON API's `?code=&pin=`) are dropped, and the paths that carry a code
(`/d/<token>`: the token spells the code; `/tra-cuu/<ticket>`: it opens a result for a
few minutes; `/receipt/<code>.png`; the ingest API's
`/api/v1/dossiers/<code>…`) keep only its start.
`scripts/run.py` starts gunicorn with `--logger-class channels.web.accesslog.RedactingLogger`.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_SECRET_PATHS = re.compile(r"^(/d/|/receipt/|/tra-cuu/)([^/?]{0,4})[^?]*")
# The ingest API: what follows the code (`/events`, `/reissue`) says what was done; it stays.
_CODE_PATHS = re.compile(r"^(/api/v1/dossiers/)([^/?]{0,4})[^/?]*")


def redact_path(path: str | None) -> str:
    """`/d/MDAwLjAwLjA0…` → `/d/MDAw…`; the query string is dropped."""
    if not path:
        return "-"
    path = path.split("?", 1)[0]
    path = _CODE_PATHS.sub(lambda m: f"{m[1]}{m[2]}…", path)
    return _SECRET_PATHS.sub(lambda m: f"{m[1]}{m[2]}…", path)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO"))
        atoms["U"] = path
        atoms["q"] = ""
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["f"] = _origin(environ.get("HTTP_REFERER"))
        for key in ("{raw_uri}e", "{path_info}e", "{query_string}e", "{request_uri}e", "{referer}i"):
            atoms.pop(key, None)
        return atoms


def _origin(url: str | None) -> str:
    """Only where a visitor came from, not the page: a referring URL may hold a token."""
    if not url:
        return "-"
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else "-"
