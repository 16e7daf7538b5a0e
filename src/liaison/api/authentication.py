"""Who is calling: a verified, unrevoked bearer token, or a 401. Authorisation is decided
elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from liaison.api.issuers import ExternalIssuers, peek_header
from liaison.api.keyring import KeyRing
from liaison.api.revocation import Revocations
from liaison.api.tokens import MAX_TOKEN_BYTES, InvalidToken, verify_access_token
from liaison.api.verified_tokens import VerifiedTokens
from liaison.permissions.principal import Principal


class NotAuthenticated(Exception):
    def __init__(self, reason: str, *, error: str = "invalid_token") -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


@dataclass(frozen=True)
class Authenticator:
    """Local tokens (``liaison token``, the embedded issuer at /oauth/token) are verified
    with the local keys (once per token and key set: see ``verified_tokens``); a token
    whose ``iss`` is a configured external issuer, with that issuer's keys and rules; then
    the revocation list is asked. Each refusal carries a reason that never echoes the
    token."""

    keys: KeyRing
    issuer: str
    audience: str
    external: ExternalIssuers = field(default_factory=ExternalIssuers)
    revocations: Revocations | None = None
    verified_tokens: VerifiedTokens = field(default_factory=VerifiedTokens)

    async def principal(self, authorization: str | None) -> Principal:
        principal = await self.verified(authorization)
        if self.revocations is not None:
            reason = await self.revocations.reason(principal)
            if reason is not None:
                raise NotAuthenticated(reason)
        return principal

    async def verified(self, authorization: str | None) -> Principal:
        """The principal of a token whose signature and claims verify, revoked or not.

        Security contract: callers must still ask whether the token or its client is
        revoked (:meth:`principal` does) before serving the request."""
        if not authorization:
            raise NotAuthenticated(
                "send 'Authorization: Bearer <access token>' (mint one with: liaison token)",
                error="invalid_request",
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("the Authorization header must use the Bearer scheme")
        try:
            return await self._verified(token.strip())
        except InvalidToken as exc:
            raise NotAuthenticated(exc.reason) from None

    async def from_headers(self, headers: Mapping[str, str]) -> Principal:
        return await self.principal(headers.get("authorization"))

    async def _verified(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("token is too large")
        keys = self.keys.current()
        # Only local tokens are remembered, and issuers are fixed for the process's life.
        remembered = self.verified_tokens.get(token, keys)
        if remembered is not None:
            return remembered
        external = self.external.route(token)
        if external is not None:
            return await external.verify(token)
        header = peek_header(token)
        kid = header.get("kid") if header is not None else None
        # A kid we do not hold may be a key rotated in by another process a moment ago.
        if (
            isinstance(kid, str)
            and keys.verification_key(kid) is None
            and self.keys.reload_for_unknown_kid()
        ):
            keys = self.keys.current()
        principal = self.verified_tokens.get(token, keys)
        if principal is None:
            principal = verify_access_token(token, keys, issuer=self.issuer, audience=self.audience)
            self.verified_tokens.put(token, keys, principal)
        return principal
