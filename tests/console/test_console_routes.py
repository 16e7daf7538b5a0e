"""/console is static files with a strict Content-Security-Policy, and nothing else: no
route of its own reads data; its third-party files come from the lock or not at all."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from liaison.api.console_app import CONTENT_SECURITY_POLICY, ConsoleFiles, console_routes
from liaison.api.console_assets import AssetError, fetch_assets, locked_packages, read_locked

SOURCE = Path(__file__).resolve().parents[2] / "src" / "liaison" / "api" / "console"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)


async def test_the_console_page_and_its_callback_are_one_static_page_under_a_strict_policy(
    http: httpx.AsyncClient,
) -> None:
    for path in ("/console", "/console/callback"):
        response = await http.get(path, params={"code": "x", "state": "y"})

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert "set-cookie" not in response.headers
    assert CONTENT_SECURITY_POLICY == CSP
    assert "unsafe" not in CSP


async def test_the_page_has_no_inline_script_or_style(http: httpx.AsyncClient) -> None:
    page = (await http.get("/console")).text

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "<style" not in page
    assert " style=" not in page
    assert re.findall(r" on[a-z]+=", page) == []


async def test_the_consoles_own_files_are_versioned_and_cached_for_a_year(
    http: httpx.AsyncClient,
) -> None:
    page = (await http.get("/console")).text
    [main] = re.findall(r'src="(/console/assets/[0-9a-f]{16}/main\.js)"', page)
    version = main.split("/")[3]

    script = await http.get(main)
    style = await http.get(f"/console/assets/{version}/console.css")
    nested = await http.get(f"/console/assets/{version}/screens/ledger.js")
    stale = await http.get("/console/assets/0000000000000000/main.js")
    template = await http.get(f"/console/assets/{version}/index.html")
    escape = await http.get(f"/console/assets/{version}/%2E%2E/console_app.py")

    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.headers["content-security-policy"] == CSP
    assert script.text == (SOURCE / "main.js").read_text("utf-8")
    assert style.headers["content-type"] == "text/css; charset=utf-8"
    assert nested.status_code == 200
    assert [stale.status_code, template.status_code, escape.status_code] == [404, 404, 404]


async def test_echarts_is_served_as_the_lock_pins_it(http: httpx.AsyncClient) -> None:
    [echarts] = [p for p in locked_packages() if p.name == "echarts"]
    [minified] = [f for f in echarts.files if f.name == "dist/echarts.min.js"]

    response = await http.get(f"/console/vendor/echarts/{echarts.version}/dist/echarts.min.js")
    other = await http.get("/console/vendor/echarts/5.0.0/dist/echarts.min.js")

    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == minified.sha256
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert other.status_code == 404


async def test_without_its_third_party_files_the_console_says_how_to_fetch_them(
    tmp_path: Path,
) -> None:
    files = ConsoleFiles.load(tmp_path)
    app_routes = console_routes(files)
    from starlette.applications import Starlette

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=Starlette(routes=app_routes)), base_url="http://c"
    ) as client:
        response = await client.get("/console")

    assert response.status_code == 503
    assert response.headers["content-security-policy"] == CSP
    assert "<code>liaison console assets</code>" in response.text
    assert f"{tmp_path}/echarts-6.1.0/dist/echarts.min.js is missing" in response.text


def test_the_console_adds_only_its_static_routes_and_they_answer_get_only() -> None:
    routes = console_routes(ConsoleFiles.load())

    assert [(r.path, sorted(r.methods or ())) for r in routes if isinstance(r, Route)] == [
        ("/console", ["GET", "HEAD"]),
        ("/console/callback", ["GET", "HEAD"]),
        ("/console/assets/{version}/{name:path}", ["GET", "HEAD"]),
        ("/console/vendor/{package}/{version}/{name:path}", ["GET", "HEAD"]),
    ]


FORBIDDEN_IN_SCRIPTS = (
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "eval(",
    "new Function",
    'localStorage.setItem("liaison.session',
)


def test_the_consoles_scripts_never_build_html_from_strings_or_evaluate_code() -> None:
    scripts = sorted(SOURCE.rglob("*.js"))
    offending = [
        f"{path.name}: {pattern}"
        for path in scripts
        for pattern in FORBIDDEN_IN_SCRIPTS
        if pattern in path.read_text("utf-8")
    ]

    assert len(scripts) == 19
    assert offending == []


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _opener(data: bytes):  # type: ignore[no-untyped-def]
    def open_url(url: str) -> io.BytesIO:
        return io.BytesIO(data)

    return open_url


def test_assets_are_taken_from_a_tarball_only_when_it_matches_the_lock(tmp_path: Path) -> None:
    [echarts] = locked_packages()
    installed = Path(__file__).resolve()  # any file: the real ones are checked below
    found, problems = read_locked(tmp_path)
    assert (found, len(problems)) == ({}, 3)

    forged = _tarball({f.member: b"forged" for f in echarts.files})
    with pytest.raises(AssetError, match="does not match its integrity in the lock"):
        fetch_assets(tmp_path, opener=_opener(forged))

    assert list(tmp_path.iterdir()) == []
    assert installed.exists()


def test_a_tarball_with_the_locked_digest_but_an_altered_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [echarts] = locked_packages()
    altered = _tarball({f.member: b"altered" for f in echarts.files})
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(altered).digest()).decode()
    relocked = type(echarts)(
        echarts.name, echarts.version, echarts.license, echarts.url, integrity, echarts.files
    )
    monkeypatch.setattr("liaison.api.console_assets.locked_packages", lambda: (relocked,))

    with pytest.raises(AssetError, match="does not match the lock"):
        fetch_assets(tmp_path, opener=_opener(altered))

    assert list(tmp_path.iterdir()) == []
