"""``/console``: the web console, static files only. It talks to ``/graphql`` with the
person's bearer token and to the OAuth endpoints that already exist; it adds no endpoint
of its own that reads data, so it can see nothing the API would not show that person.

- ``GET /console`` and ``GET /console/callback`` (the redirect URI of the sign-in) are the
  same page: the script reads the path and the query.
- ``GET /console/assets/<version>/<file>`` are the console's own modules and stylesheet,
  read from the package once at start; ``<version>`` is a digest of them all, so each can
  be cached for a year and a new release is fetched afresh.
- ``GET /console/vendor/<package>/<version>/<file>`` are the locked third-party files
  (``console_assets``), checked against the lock at start.

Every answer carries a Content-Security-Policy without ``unsafe-inline`` or ``unsafe-eval``
(scripts, styles, images, fonts and connections from this origin only; no frames, no
``<base>``), ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer`` and ``nosniff``.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liaison.api.console_assets import FETCH_COMMAND, assets_dir, locked_packages, read_locked

CONSOLE_PATH: Final = "/console"
CALLBACK_PATH: Final = "/console/callback"
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_PAGE_CACHE: Final = "no-store"
_ASSET_CACHE: Final = "public, max-age=31536000, immutable"
MEDIA_TYPES: Final = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
_SOURCE = resources.files("liaison.api") / "console"
_TEMPLATE = "index.html"
_NOT_SERVED = {_TEMPLATE, "vendor.lock.json"}


def _walk(directory: Traversable, prefix: str = "") -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in directory.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            found.update(_walk(entry, name + "/"))
        elif Path(entry.name).suffix in MEDIA_TYPES and name not in _NOT_SERVED:
            found[name] = entry.read_bytes()
    return found


@dataclass(frozen=True)
class ConsoleFiles:
    version: str
    own: dict[str, bytes]
    vendored: dict[tuple[str, str, str], bytes]
    problems: tuple[str, ...]
    page: bytes

    @classmethod
    def load(cls, vendor_directory: Path | None = None) -> ConsoleFiles:
        own = _walk(_SOURCE)
        digest = hashlib.sha256()
        for name in sorted(own):
            digest.update(name.encode() + b"\0" + own[name] + b"\0")
        version = digest.hexdigest()[:16]
        vendored, problems = read_locked(vendor_directory or assets_dir())
        echarts = next(p for p in locked_packages() if p.name == "echarts")
        page = (_SOURCE / _TEMPLATE).read_text("utf-8")
        page = page.replace("{{assets}}", f"{CONSOLE_PATH}/assets/{version}")
        page = page.replace(
            "{{echarts}}", f"{CONSOLE_PATH}/vendor/echarts/{echarts.version}/dist/echarts.min.js"
        )
        return cls(version, own, vendored, tuple(problems), page.encode("utf-8"))


def _headers(cache: str) -> dict[str, str]:
    return {**SECURITY_HEADERS, "Cache-Control": cache}


def _not_found() -> Response:
    return Response(
        b"Not found.\n", 404, media_type="text/plain; charset=utf-8", headers=_headers(_PAGE_CACHE)
    )


def _missing_assets_page(problems: tuple[str, ...]) -> Response:
    items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    body = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Console assets missing · 控制台资源缺失</title></head><body><main>"
        "<h1>The console's third-party files are not installed</h1>"
        f"<p>Fetch them (from the npm registry, checked against the lock) with "
        f"<code>{FETCH_COMMAND}</code>, or start Liaison with <code>python3 dev.py serve</code>, "
        "which does it for you; then reload this page.</p>"
        f"<ul>{items}</ul>"
        f'<p lang="zh-CN">控制台的第三方文件尚未安装：请运行 <code>{FETCH_COMMAND}</code>'
        " 后刷新本页。</p>"
        "</main></body></html>\n"
    )
    return Response(
        body.encode("utf-8"),
        503,
        media_type="text/html; charset=utf-8",
        headers=_headers(_PAGE_CACHE),
    )


def console_routes(files: ConsoleFiles) -> list[Route]:
    async def page(_: Request) -> Response:
        if files.problems:
            return _missing_assets_page(files.problems)
        return Response(
            files.page, media_type="text/html; charset=utf-8", headers=_headers(_PAGE_CACHE)
        )

    async def own_asset(request: Request) -> Response:
        if request.path_params["version"] != files.version:
            return _not_found()
        name = request.path_params["name"]
        data = files.own.get(name)
        if data is None:
            return _not_found()
        media = MEDIA_TYPES[Path(name).suffix]
        return Response(data, media_type=media, headers=_headers(_ASSET_CACHE))

    async def vendored(request: Request) -> Response:
        key = (
            request.path_params["package"],
            request.path_params["version"],
            request.path_params["name"],
        )
        data = files.vendored.get(key)
        if data is None:
            return _not_found()
        media = MEDIA_TYPES.get(Path(key[2]).suffix, "text/plain; charset=utf-8")
        return Response(data, media_type=media, headers=_headers(_ASSET_CACHE))

    return [
        Route(CONSOLE_PATH, page, methods=["GET"]),
        Route(CALLBACK_PATH, page, methods=["GET"]),
        Route(CONSOLE_PATH + "/assets/{version}/{name:path}", own_asset, methods=["GET"]),
        Route(CONSOLE_PATH + "/vendor/{package}/{version}/{name:path}", vendored, methods=["GET"]),
    ]
