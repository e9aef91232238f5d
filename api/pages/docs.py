"""/docs: Swagger UI, served from this server (no CDN: it works offline), under its own
Content-Security-Policy. `api/app.py` mounts the assets at `ASSETS` (`assets()`) and registers
`router`; the page is drawn once, when this module is first imported.

The assets are the Swagger UI 5 bundle shipped by the `fastapi-offline` package. The page is
FastAPI's, with one inline script that starts the UI; instead of allowing inline scripts, the policy
names that script by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


router = APIRouter(include_in_schema=False)


def assets() -> StaticFiles:
    """Swagger UI's own files, as the `fastapi-offline` package ships them."""
    return StaticFiles(directory=str(Path(str(files("fastapi_offline") / "static"))))


def _page() -> tuple[str, str]:
    """The page and its policy (the hashes of its inline scripts)."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="netgoals – API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon.png",
    )
    html = bytes(page.body).decode("utf-8")
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(html)
    )
    policy = (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return html, policy


_HTML, _POLICY = _page()


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(_HTML, headers={"Content-Security-Policy": _POLICY})
