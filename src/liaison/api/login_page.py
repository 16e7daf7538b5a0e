"""The sign-in page and its error page: server-rendered HTML, English and Chinese, no
JavaScript, one stylesheet served by Liaison itself (so the Content-Security-Policy needs
no 'unsafe-inline'). Every value put into the page is HTML-escaped."""

from __future__ import annotations

import html
from importlib import resources
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

STYLESHEET_PATH: Final = "/oauth/static/login.css"
# Only our own stylesheet; forms post back to us only; no frames, no base, nothing else.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

WRONG_CREDENTIALS: Final = ("Wrong username or password.", "用户名或密码错误。")
FORM_EXPIRED: Final = (
    "This sign-in form has expired or was not sent from this page. Please sign in again.",
    "登录表单已过期或并非来自本页面，请重新登录。",
)
UNAVAILABLE: Final = (
    "Sign-in is unavailable right now; nothing was changed. Please try again later.",
    "登录服务暂时不可用，未做任何更改，请稍后再试。",
)
MISSING_FIELDS: Final = ("Enter your username and password.", "请输入用户名和密码。")


def too_many_failures(retry_after: int) -> tuple[str, str]:
    minutes = max(1, -(-retry_after // 60))
    return (
        f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
        f"登录失败次数过多，请在 {minutes} 分钟后再试。",
    )


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _document(title: tuple[str, str], body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title[0])} · {_e(title[1])}</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET_PATH}">\n'
        '</head>\n<body>\n<main class="card">\n'
        f'<h1>{_e(title[0])} <span lang="zh-CN">{_e(title[1])}</span></h1>\n'
        f"{body}</main>\n</body>\n</html>\n"
    )


def _message(message: tuple[str, str] | None) -> str:
    if message is None:
        return ""
    return (
        f'<p class="alert" role="alert" id="sign-in-message">{_e(message[0])}<br>'
        f'<span lang="zh-CN">{_e(message[1])}</span></p>\n'
    )


def sign_in_page(
    *,
    action: str,
    csrf_token: str,
    username: str = "",
    message: tuple[str, str] | None = None,
) -> str:
    """The form posts to ``action`` (the authorization request's own URL). After a refusal
    the name stays filled in and the password field has the focus."""
    described = ' aria-describedby="sign-in-message" aria-invalid="true"' if message else ""
    focus_name, focus_password = ("", " autofocus") if username else (" autofocus", "")
    body = (
        _message(message) + f'<form method="post" action="{_e(action)}" novalidate>\n'
        f'<input type="hidden" name="csrf_token" value="{_e(csrf_token)}">\n'
        '<p><label for="username">Username <span lang="zh-CN">用户名</span></label>\n'
        f'<input id="username" name="username" type="text" value="{_e(username)}" '
        'autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" '
        f"required{focus_name}{described}></p>\n"
        '<p><label for="password">Password <span lang="zh-CN">密码</span></label>\n'
        '<input id="password" name="password" type="password" autocomplete="current-password" '
        f'maxlength="256" required{focus_password}{described}></p>\n'
        '<p><button type="submit">Sign in <span lang="zh-CN">登录</span></button></p>\n'
        "</form>\n"
    )
    return _document(("Sign in to Liaison", "登录 Liaison"), body)


def error_page(reason: str) -> str:
    """For a request we will not send back to its redirect URI (an unknown client, a
    redirect URI not registered for it): the browser stays here."""
    body = (
        _message(
            (
                f"This sign-in link is not valid: {reason}",
                "此登录链接无效，请从控制台重新开始登录。",
            )
        )
        + '<p>Start again from the console. <span lang="zh-CN">请从控制台重新开始。</span></p>\n'
    )
    return _document(("Cannot sign in", "无法登录"), body)


def page(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        text,
        status_code=status,
        media_type="text/html; charset=utf-8",
        headers={**PAGE_HEADERS, **(headers or {})},
    )


_STYLESHEET: Final = (resources.files("liaison.api") / "static" / "login.css").read_bytes()


async def stylesheet(_: Request) -> Response:
    return Response(
        _STYLESHEET,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
