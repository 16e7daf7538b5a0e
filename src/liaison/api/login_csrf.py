"""The login form's CSRF token: an HMAC, with a server secret kept in the data directory,
over a nonce held in a ``SameSite=Strict`` cookie, the authorization request's parameters
and the time the form was shown. A form posted from another site carries no cookie (or not
the one the token was made for), and a token is good only for the request it was shown
with, for 30 minutes. No session is kept anywhere: the API itself stays bearer-only."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Final

SECRET_FILE: Final = "login-secret"  # noqa: S105 - a file name
MAX_AGE_SECONDS: Final = 1800
COOKIE: Final = "liaison-login"
SECURE_COOKIE: Final = "__Host-liaison-login"  # https: Secure, Path=/, no Domain
_NONCE: Final = 32


def load_or_create_secret(data_dir: Path) -> bytes:
    """32 random bytes in ``<data dir>/login-secret`` (mode 0600), created once without
    overwriting, so every process sharing the directory makes and checks the same tokens."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE
    if not path.exists():
        fd, temp = tempfile.mkstemp(dir=data_dir, prefix=f".{SECRET_FILE}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(secrets.token_hex(32).encode() + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
    secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(secret) < 32:
        raise SystemExit(f"{path} must hold at least 32 bytes, hex-encoded")
    return secret


class LoginCsrf:
    def __init__(self, secret: bytes, *, max_age: int = MAX_AGE_SECONDS) -> None:
        self._secret = secret
        self._max_age = max_age

    @staticmethod
    def cookie_name(secure: bool) -> str:
        return SECURE_COOKIE if secure else COOKIE

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(_NONCE)

    @staticmethod
    def usable_nonce(value: str | None) -> str | None:
        if value and 32 <= len(value) <= 64 and value.isascii() and value.isprintable():
            return value
        return None

    def set_cookie(self, nonce: str, secure: bool, path: str) -> str:
        attributes = [f"{self.cookie_name(secure)}={nonce}", "HttpOnly", "SameSite=Strict"]
        attributes.append(f"Max-Age={self._max_age}")
        # __Host- cookies must be Secure with Path=/ (RFC 6265bis §4.1.3.2).
        attributes += ["Secure", "Path=/"] if secure else [f"Path={path}"]
        return "; ".join(attributes)

    def token(self, nonce: str, parameters: Mapping[str, str], *, now: int | None = None) -> str:
        issued = int(time.time()) if now is None else now
        return f"{issued}.{self._mac(nonce, parameters, issued)}"

    def check(
        self,
        nonce: str | None,
        token: str | None,
        parameters: Mapping[str, str],
        *,
        now: int | None = None,
    ) -> bool:
        if not nonce or not token:
            return False
        issued, _, mac = token.partition(".")
        if not issued.isascii() or not issued.isdigit() or len(issued) > 12:
            return False
        moment = int(time.time()) if now is None else now
        if not 0 <= moment - int(issued) <= self._max_age:
            return False
        expected = self._mac(nonce, parameters, int(issued))
        return hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace"))

    def _mac(self, nonce: str, parameters: Mapping[str, str], issued: int) -> str:
        canonical = urllib.parse.urlencode(sorted(parameters.items()))
        message = "\x00".join(("liaison-login-v1", nonce, str(issued), canonical))
        digest = hmac.new(self._secret, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
