from __future__ import annotations

import json
import math
import re
import secrets
import time
from collections.abc import Iterable
from typing import Any, Final

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidPayloadError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import ECKey
from joserfc.util import urlsafe_b64decode

from liaison.api.keys import ALGORITHM, SigningKeys
from liaison.permissions.principal import Principal, Role

__all__ = [
    "ALGORITHM",
    "JWT_TYPE",
    "MAX_TOKEN_BYTES",
    "InvalidToken",
    "mint_access_token",
    "verify_access_token",
]

MAX_TOKEN_BYTES: Final = 8192
JWT_TYPE: Final = "at+jwt"

# RFC 9068 §4: "at+jwt", or the full media type; media types compare case-insensitively.
_ACCEPTED_TYPES: Final = frozenset({"at+jwt", "application/at+jwt"})
# Headers that let the token name its own verification key (RFC 8725 §3.10), or demand
# extension processing we do not implement.
_FORBIDDEN_HEADERS: Final = ("jwk", "jku", "x5u", "x5c", "crit")
_ALLOWED_HEADERS: Final = frozenset({"alg", "typ", "kid"})
_DEPARTMENT_CODE: Final = re.compile(r"[a-z][a-z0-9_-]{1,31}")
_COMPACT_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

_REQUIRED_CLAIMS: Final = ("iss", "sub", "aud", "exp", "iat", "jti", "client_id", "department")
_CLAIM_REASONS: Final = {
    "iss": "token issuer is not accepted",
    "aud": "token audience is not accepted",
    "nbf": "token is not yet valid",
    # Tokens minted ahead of this server's clock carry iat (and nbf) in the future.
    "iat": "token is not yet valid",
}
_KNOWN_CLAIMS: Final = frozenset({*_REQUIRED_CLAIMS, "nbf", "roles"})


class InvalidToken(Exception):
    """A refused access token.

    ``reason`` is safe to show a client: it names the check that failed and never echoes
    any part of the token.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def mint_access_token(
    keys: SigningKeys,
    *,
    issuer: str,
    audience: str,
    subject: str,
    department: str,
    roles: Iterable[Role | str],
    client_id: str,
    lifetime_seconds: int = 3600,
    now: int | None = None,
    token_id: str | None = None,
) -> str:
    """Sign an RFC 9068 access token with the newest key.

    Raises ValueError for input that ``verify_access_token`` would refuse (bad department
    code, unknown role, empty identifiers, non-positive lifetime, oversized token): what it
    returns verifies, for the same issuer and audience, until it expires.
    """
    jti = secrets.token_urlsafe(16) if token_id is None else token_id
    identifiers = {
        "issuer": issuer,
        "audience": audience,
        "subject": subject,
        "client_id": client_id,
        "token_id": jti,
    }
    for name, value in identifiers.items():
        if not value:
            raise ValueError(f"{name} must not be empty")
    if not _DEPARTMENT_CODE.fullmatch(department):
        raise ValueError("department must be a lowercase code matching [a-z][a-z0-9_-]{1,31}")
    role_names = sorted({Role(role).value for role in roles})
    if lifetime_seconds <= 0:
        raise ValueError("lifetime_seconds must be positive")

    issued_at = int(time.time()) if now is None else now
    header = {"alg": ALGORITHM, "typ": JWT_TYPE, "kid": keys.signing_kid}
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "exp": issued_at + lifetime_seconds,
        "iat": issued_at,
        "nbf": issued_at,
        "jti": jti,
        "client_id": client_id,
        "department": department,
        "roles": role_names,
    }
    token = jwt.encode(header, claims, keys.signing_key, algorithms=[ALGORITHM], default_type=None)
    if len(token) > MAX_TOKEN_BYTES:
        raise ValueError(f"token would exceed {MAX_TOKEN_BYTES} bytes")
    return token


def verify_access_token(
    token: str,
    keys: SigningKeys,
    *,
    issuer: str,
    audience: str,
    leeway_seconds: int = 30,
    now: int | None = None,
) -> Principal:
    """Turn a bearer access token into the Principal it speaks for, or raise InvalidToken.

    Security contract (RFC 8725, RFC 9068):
    - at most MAX_TOKEN_BYTES, compact JWS only, no duplicate JSON member names;
    - ``alg`` must be ES256 and ``typ`` at+jwt; the algorithm is never taken from the token;
    - the key comes only from ``keys`` by ``kid``: ``jwk``/``jku``/``x5u``/``x5c`` are refused,
      as is ``crit`` and any header beyond alg/typ/kid;
    - the signature is checked before any claim is read;
    - ``iss`` equals ``issuer`` exactly, ``aud`` is or contains ``audience``, ``exp`` has not
      passed and ``nbf``/``iat`` are not in the future (each give or take ``leeway_seconds``);
    - sub, jti, client_id, department and roles must be present and well-typed, and every
      role must be a known Role: an unknown role refuses the token rather than being dropped.
    """
    if not issuer or not audience:
        raise ValueError("issuer and audience must not be empty")
    if leeway_seconds < 0:
        raise ValueError("leeway_seconds must not be negative")

    kid = _checked_header(token)
    key = keys.verification_key(kid)
    if key is None:
        raise InvalidToken("token key id is not recognised")
    claims = _verified_claims(token, key)
    _check_registered_claims(claims, issuer, audience, leeway_seconds, now)
    return _principal(claims)


def _checked_header(token: str) -> str:
    """Check the protected header before any key is chosen, and return its kid."""
    # Size first, so nothing below ever works on an unbounded input.
    if len(token) > MAX_TOKEN_BYTES:
        raise InvalidToken("token is too large")
    if not _COMPACT_JWS.fullmatch(token):
        raise InvalidToken("token is not a compact JWS")
    try:
        header = _strict_json_loads(urlsafe_b64decode(token.split(".", 1)[0].encode("ascii")))
    except ValueError as error:
        raise InvalidToken("token header is not base64url-encoded JSON") from error
    if not isinstance(header, dict):
        raise InvalidToken("token header is not a JSON object")

    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"token algorithm must be {ALGORITHM}")
    typ = header.get("typ")
    if not isinstance(typ, str) or not typ.isascii() or typ.lower() not in _ACCEPTED_TYPES:
        raise InvalidToken(f"token type must be {JWT_TYPE}")
    for name in _FORBIDDEN_HEADERS:
        if name in header:
            raise InvalidToken(f"token header must not contain {name}")
    if not header.keys() <= _ALLOWED_HEADERS:
        raise InvalidToken("token header contains unsupported parameters")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("token has no key id")
    return kid


def _verified_claims(token: str, key: ECKey) -> dict[str, Any]:
    try:
        # joserfc verifies the signature before it parses the payload.
        verified = jwt.decode(token, key, algorithms=[ALGORITHM], decoder_cls=_StrictJSONDecoder)
    except BadSignatureError as error:
        raise InvalidToken("signature does not verify") from error
    except InvalidPayloadError as error:
        raise InvalidToken("token payload is not a JSON object") from error
    except (JoseError, ValueError) as error:
        raise InvalidToken("token is malformed") from error
    return verified.claims


def _check_registered_claims(
    claims: dict[str, Any], issuer: str, audience: str, leeway_seconds: int, now: int | None
) -> None:
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=leeway_seconds,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
        client_id={"essential": True},
        department={"essential": True},
        # Present but empty is a principal with no roles; absent is a malformed token.
        roles={"essential": True, "allow_blank": True},
    )
    try:
        registry.validate(claims)
    except MissingClaimError as error:
        names = error.claim.split(",")
        plural = "s" if len(names) > 1 else ""
        raise InvalidToken(f"token is missing the {', '.join(names)} claim{plural}") from error
    except ExpiredTokenError as error:
        raise InvalidToken("token has expired") from error
    except InvalidClaimError as error:
        raise InvalidToken(_invalid_claim_reason(error.claim)) from error


def _invalid_claim_reason(claim: str) -> str:
    if claim in _CLAIM_REASONS:
        return _CLAIM_REASONS[claim]
    # Only claim names we asked about are quoted; anything else could be token content.
    if claim in _KNOWN_CLAIMS:
        return f"token {claim} claim is invalid"
    return "token has an invalid claim"


def _principal(claims: dict[str, Any]) -> Principal:
    # joserfc has already type-checked sub, jti and exp; the rest are ours to check.
    client_id = claims["client_id"]
    if not isinstance(client_id, str):
        raise InvalidToken("token client_id claim is invalid")
    department = claims["department"]
    if not isinstance(department, str) or not _DEPARTMENT_CODE.fullmatch(department):
        raise InvalidToken("token department claim is invalid")
    role_names = claims["roles"]
    if not isinstance(role_names, list) or not all(isinstance(r, str) for r in role_names):
        raise InvalidToken("token roles claim must be a list of strings")
    try:
        roles = frozenset(Role(name) for name in role_names)
    except ValueError as error:
        raise InvalidToken("token has an unknown role") from error
    return Principal(
        subject=claims["sub"],
        department=department,
        roles=roles,
        client_id=client_id,
        token_id=claims["jti"],
        # A fractional NumericDate is rounded down: the principal never outlives its token.
        expires_at=math.floor(claims["exp"]),
    )


def _reject_duplicate_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("duplicate member name")
    return members


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _StrictJSONDecoder(json.JSONDecoder):
    # RFC 7515 §5.2 lets a parser reject duplicate names or keep the last; rejecting means no
    # two parsers can read different meanings from one token. NaN/Infinity are not JSON.
    def __init__(self, **kwargs: Any) -> None:
        kwargs["object_pairs_hook"] = _reject_duplicate_names
        kwargs["parse_constant"] = _reject_constant
        super().__init__(**kwargs)


def _strict_json_loads(data: bytes) -> Any:
    return json.loads(data, cls=_StrictJSONDecoder)
