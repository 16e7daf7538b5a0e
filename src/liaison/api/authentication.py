"""Who is calling: a verified bearer token, or a 401. Authorisation is decided elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from liaison.api.keys import SigningKeys
from liaison.api.tokens import InvalidToken, verify_access_token
from liaison.permissions.principal import Principal


class NotAuthenticated(Exception):
    def __init__(self, reason: str, *, error: str = "invalid_token") -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


@dataclass(frozen=True)
class Authenticator:
    keys: SigningKeys
    issuer: str
    audience: str

    def principal(self, authorization: str | None) -> Principal:
        if not authorization:
            raise NotAuthenticated(
                "send 'Authorization: Bearer <access token>' (mint one with: liaison token)",
                error="invalid_request",
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("the Authorization header must use the Bearer scheme")
        try:
            return verify_access_token(
                token.strip(), self.keys, issuer=self.issuer, audience=self.audience
            )
        except InvalidToken as exc:
            raise NotAuthenticated(exc.reason) from None

    def from_headers(self, headers: Mapping[str, str]) -> Principal:
        return self.principal(headers.get("authorization"))
