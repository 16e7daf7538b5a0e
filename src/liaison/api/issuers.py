"""External issuers: departments' own identity providers, trusted one by one through
configuration (``LIAISON_ISSUERS_FILE``, TOML or YAML), each with its JWKS URL, audience,
pinned algorithms and the mapping of its claims to a department and roles."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml
from authlib.common.security import is_secure_transport  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidPayloadError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import ECKey, OKPKey, RSAKey
from joserfc.util import urlsafe_b64decode

from liaison.api.jwks import JWKSCache, PublicKey
from liaison.api.tokens import (  # the same strict parsing as local tokens
    _COMPACT_JWS,
    _FORBIDDEN_HEADERS,
    MAX_TOKEN_BYTES,
    InvalidToken,
    _strict_json_loads,
    _StrictJSONDecoder,
)
from liaison.permissions.principal import Principal, Role

# Asymmetric algorithms only: an HMAC algorithm would make the issuer's public key a
# shared secret (RFC 8725 §2.1, §3.1).
ALGORITHM_KEYS: Final[Mapping[str, tuple[type[PublicKey], frozenset[str]]]] = {
    **{
        f"{family}{bits}": (RSAKey, frozenset())
        for family in ("RS", "PS")
        for bits in (256, 384, 512)
    },
    "ES256": (ECKey, frozenset({"P-256"})),
    "ES384": (ECKey, frozenset({"P-384"})),
    "ES512": (ECKey, frozenset({"P-521"})),
    "EdDSA": (OKPKey, frozenset({"Ed25519", "Ed448"})),
    "Ed25519": (OKPKey, frozenset({"Ed25519"})),
}
# ``typ`` values an issuer may be configured to accept (RFC 9068 §2.1; "jwt" for providers
# that do not type their access tokens). Compared case-insensitively, "application/" optional.
TOKEN_TYPES: Final = frozenset({"at+jwt", "jwt"})
# Key identifiers, not key sources: harmless, and sent by several providers.
_ALLOWED_HEADERS: Final = frozenset({"alg", "typ", "kid", "x5t", "x5t#S256"})
# Present in ID tokens (OpenID Connect Core §2, §3.1.3.6), never in access tokens.
_ID_TOKEN_CLAIMS: Final = ("nonce", "at_hash", "c_hash")
_NAME: Final = re.compile(r"[a-z][a-z0-9-]{1,31}")
_DEPARTMENT_CODE: Final = re.compile(r"[a-z][a-z0-9_-]{1,31}")
_MAX_IDENTIFIER: Final = 255
# Roles an issuer's own role names map to when it gives no table: never admin, which is a
# platform role no department's provider should be able to confer by default.
_DEFAULT_ROLES: Final = frozenset({Role.READER, Role.CONTRIBUTOR, Role.STEWARD, Role.AUDITOR})

ClaimPath = tuple[str, ...]


class IssuerConfigError(ValueError):
    """The issuers file is unreadable or states an unsafe or incomplete issuer."""


@dataclass(frozen=True)
class IssuerConfig:
    name: str
    issuer: str
    jwks_uri: str
    audience: str
    algorithms: tuple[str, ...]
    token_types: frozenset[str] = frozenset({"at+jwt"})
    department: str | None = None
    department_claim: ClaimPath | None = None
    departments: Mapping[str, str] = field(default_factory=dict)
    roles_claim: ClaimPath = ("roles",)
    roles: Mapping[str, Role] | None = None
    leeway_seconds: int = 30
    jwks_cooldown_seconds: float = 60.0
    jwks_max_age_seconds: float = 3600.0
    # For the console's sign-in (README, Security / Identity / 4): the provider's OAuth 2
    # endpoints and the console's client there. None without console_client_id.
    console: ConsoleSignIn | None = None


@dataclass(frozen=True)
class ConsoleSignIn:
    """How the console signs people in at an external provider (authorization code with
    PKCE, a public client): stated in the issuers file, never discovered, so that start-up
    needs no network and the endpoints are exactly what the operator wrote."""

    client_id: str
    authorization_endpoint: str
    token_endpoint: str
    revocation_endpoint: str | None = None
    scopes: tuple[str, ...] = ()


class ExternalIssuer:
    """Verifies access tokens of one configured issuer (RFC 8725, RFC 9068).

    Security contract, beyond what ``tokens.verify_access_token`` guarantees for local
    tokens (size, compact JWS only, strict JSON, signature before claims):
    - ``alg`` must be one of the issuer's pinned asymmetric algorithms, and the key must be
      of the type (and curve) that algorithm needs;
    - the key comes only from the issuer's JWKS, by ``kid``; ``jwk``/``jku``/``x5u``/``x5c``
      and ``crit`` are refused;
    - ``typ`` must be at+jwt unless the issuer is configured to accept plain JWT, in which
      case tokens carrying ID-token claims (nonce, at_hash, c_hash) are refused;
    - ``iss`` equals the configured issuer exactly; ``aud`` is or contains the configured
      audience; ``exp``, ``iat``, ``sub`` and ``jti`` are required; ``nbf`` is honoured;
    - the department comes only from the configured mapping: an issuer can speak for the
      departments it is configured for and no other; unmapped roles are ignored;
    - the principal's subject, client_id and token_id are prefixed ``<name>:`` so they never
      collide with local ones, nor with another issuer's, in audit events and revocations.
    """

    def __init__(self, config: IssuerConfig, jwks: JWKSCache | None = None) -> None:
        self.config = config
        self.jwks = jwks or JWKSCache(
            config.jwks_uri,
            cooldown=config.jwks_cooldown_seconds,
            max_age=config.jwks_max_age_seconds,
        )

    async def verify(self, token: str, *, now: int | None = None) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("token is too large")
        header = _header(token)
        alg = self._checked_header(header)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token has no key id")
        key = await self.jwks.key(kid)
        if key is None:
            if not self.jwks.loaded:
                raise InvalidToken("the token issuer's keys are unavailable")
            raise InvalidToken("token key id is not recognised")
        if not _fits(key, alg):
            raise InvalidToken("token key does not match the token algorithm")
        claims = _verified_claims(token, key, alg)
        self._check_claims(claims, now)
        return self._principal(claims)

    def _checked_header(self, header: dict[str, Any]) -> str:
        config = self.config
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in config.algorithms:
            raise InvalidToken(f"token algorithm must be {' or '.join(config.algorithms)}")
        typ = header.get("typ")
        if not isinstance(typ, str) or _token_type(typ) not in config.token_types:
            raise InvalidToken(f"token type must be {' or '.join(sorted(config.token_types))}")
        for name in _FORBIDDEN_HEADERS:
            if name in header:
                raise InvalidToken(f"token header must not contain {name}")
        if not header.keys() <= _ALLOWED_HEADERS:
            raise InvalidToken("token header contains unsupported parameters")
        return alg

    def _check_claims(self, claims: dict[str, Any], now: int | None) -> None:
        config = self.config
        registry = jwt.JWTClaimsRegistry(
            now=now,
            leeway=config.leeway_seconds,
            iss={"essential": True, "value": config.issuer},
            aud={"essential": True, "value": config.audience},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
        )
        try:
            registry.validate(claims)
        except MissingClaimError as error:
            names = error.claim.split(",")
            plural = "s" if len(names) > 1 else ""
            raise InvalidToken(f"token is missing the {', '.join(names)} claim{plural}") from None
        except ExpiredTokenError:
            raise InvalidToken("token has expired") from None
        except InvalidClaimError as error:
            raise InvalidToken(
                _CLAIM_REASONS.get(error.claim, "token has an invalid claim")
            ) from None
        if any(name in claims for name in _ID_TOKEN_CLAIMS):
            raise InvalidToken("token is an ID token, not an access token")

    def _principal(self, claims: dict[str, Any]) -> Principal:
        name = self.config.name
        client_id = claims.get("client_id", claims.get("azp"))
        if client_id is None:
            raise InvalidToken("token is missing the client_id claim")
        return Principal(
            subject=f"{name}:{_identifier(claims['sub'], 'sub')}",
            department=self._department(claims),
            roles=self._roles(claims),
            client_id=f"{name}:{_identifier(client_id, 'client_id')}",
            token_id=f"{name}:{_identifier(claims['jti'], 'jti')}",
            expires_at=math.floor(claims["exp"]),
        )

    def _department(self, claims: dict[str, Any]) -> str:
        config = self.config
        if config.department is not None:
            return config.department
        assert config.department_claim is not None  # guaranteed by parse_issuers
        value = _claim(claims, config.department_claim)
        if value is None:
            raise InvalidToken(f"token is missing the {'.'.join(config.department_claim)} claim")
        if not isinstance(value, str) or value not in config.departments:
            raise InvalidToken("token department is not one this issuer may speak for")
        return config.departments[value]

    def _roles(self, claims: dict[str, Any]) -> frozenset[Role]:
        config = self.config
        value = _claim(claims, config.roles_claim)
        if value is None:
            return frozenset()
        names = value.split() if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InvalidToken(
                f"token {'.'.join(config.roles_claim)} claim must be a list of strings"
            )
        if config.roles is not None:
            return frozenset(config.roles[n] for n in names if n in config.roles)
        return frozenset(Role(n) for n in names if n in {r.value for r in _DEFAULT_ROLES})


class ExternalIssuers:
    """The configured issuers, by their exact ``iss`` value."""

    def __init__(self, issuers: Iterable[ExternalIssuer] = ()) -> None:
        self._by_iss = {issuer.config.issuer: issuer for issuer in issuers}

    def __len__(self) -> int:
        return len(self._by_iss)

    def __iter__(self) -> Iterator[ExternalIssuer]:
        return iter(self._by_iss.values())

    def named(self, iss: str) -> ExternalIssuer | None:
        return self._by_iss.get(iss)

    def route(self, token: str) -> ExternalIssuer | None:
        """The issuer a token claims to come from, if it is one of ours; read before any
        signature is checked, so it only chooses whose keys and rules then apply.
        Raises InvalidToken for an ``iss`` that lists one of them (iss is a single string)."""
        if not self._by_iss:
            return None
        claims = peek_claims(token)
        iss = claims.get("iss") if claims is not None else None
        if isinstance(iss, str):
            return self._by_iss.get(iss)
        if isinstance(iss, list) and any(isinstance(i, str) and i in self._by_iss for i in iss):
            raise InvalidToken("token issuer is not accepted")
        return None


_CLAIM_REASONS: Final = {
    "iss": "token issuer is not accepted",
    "aud": "token audience is not accepted",
    "nbf": "token is not yet valid",
    "iat": "token is not yet valid",
    "sub": "token sub claim is invalid",
    "jti": "token jti claim is invalid",
    "exp": "token exp claim is invalid",
}


def peek_header(token: str) -> dict[str, Any] | None:
    """The protected header of a well-formed compact JWS, unverified; None otherwise."""
    if len(token) > MAX_TOKEN_BYTES:
        return None
    try:
        return _header(token)
    except InvalidToken:
        return None


def peek_claims(token: str) -> dict[str, Any] | None:
    """The claims of a well-formed compact JWS, unverified; None otherwise. Only to choose
    whose keys verify a token, or to name a token an operator revokes."""
    if len(token) > MAX_TOKEN_BYTES or not _COMPACT_JWS.fullmatch(token):
        return None
    try:
        claims = _strict_json_loads(urlsafe_b64decode(token.split(".")[1].encode("ascii")))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def _header(token: str) -> dict[str, Any]:
    if not _COMPACT_JWS.fullmatch(token):
        raise InvalidToken("token is not a compact JWS")
    try:
        header = _strict_json_loads(urlsafe_b64decode(token.split(".", 1)[0].encode("ascii")))
    except ValueError:
        raise InvalidToken("token header is not base64url-encoded JSON") from None
    if not isinstance(header, dict):
        raise InvalidToken("token header is not a JSON object")
    return header


def _token_type(typ: str) -> str | None:
    if not typ.isascii():
        return None
    lowered = typ.lower()
    return lowered.removeprefix("application/")


def _fits(key: PublicKey, alg: str) -> bool:
    key_type, curves = ALGORITHM_KEYS[alg]
    if not isinstance(key, key_type):
        return False
    if curves and key.get("crv") not in curves:
        return False
    return key.alg in (None, alg)


def _verified_claims(token: str, key: PublicKey, alg: str) -> dict[str, Any]:
    try:
        verified = jwt.decode(token, key, algorithms=[alg], decoder_cls=_StrictJSONDecoder)
    except BadSignatureError:
        raise InvalidToken("signature does not verify") from None
    except InvalidPayloadError:
        raise InvalidToken("token payload is not a JSON object") from None
    except (JoseError, ValueError):
        raise InvalidToken("token is malformed") from None
    return verified.claims


def _claim(claims: Mapping[str, Any], path: ClaimPath) -> Any:
    value: Any = claims
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _identifier(value: object, claim: str) -> str:
    if not isinstance(value, str) or not value or len(value) > _MAX_IDENTIFIER:
        raise InvalidToken(f"token {claim} claim is invalid")
    if not value.isprintable():
        raise InvalidToken(f"token {claim} claim is invalid")
    return value


# ---------------------------------------------------------------------------------------
# Configuration


def load_issuers(path: Path | None, local_issuer: str) -> ExternalIssuers:
    """The issuers configured in ``path`` (none without one)."""
    if path is None:
        return ExternalIssuers()
    return ExternalIssuers(ExternalIssuer(c) for c in read_issuers_file(path, local_issuer))


def read_issuers_file(path: Path, local_issuer: str) -> tuple[IssuerConfig, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise IssuerConfigError(f"cannot read issuers file {path}: {exc.strerror}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            document = yaml.safe_load(text)
        else:
            document = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise IssuerConfigError(f"{path} is not valid {path.suffix or 'TOML'}: {exc}") from None
    try:
        return parse_issuers(document, local_issuer)
    except IssuerConfigError as exc:
        raise IssuerConfigError(f"{path}: {exc}") from None


_KEYS: Final = frozenset(
    {
        "name",
        "issuer",
        "jwks_uri",
        "audience",
        "algorithms",
        "token_types",
        "department",
        "department_claim",
        "departments",
        "roles_claim",
        "roles",
        "leeway_seconds",
        "jwks_cooldown_seconds",
        "jwks_max_age_seconds",
        "console_client_id",
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "console_scopes",
    }
)


def parse_issuers(document: object, local_issuer: str) -> tuple[IssuerConfig, ...]:
    """Validate an ``{"issuers": [...]}`` document; every mistake is refused by name."""
    if not isinstance(document, dict) or not isinstance(document.get("issuers"), list):
        raise IssuerConfigError("expected a list of issuers under 'issuers' ([[issuers]])")
    if set(document) != {"issuers"}:
        raise IssuerConfigError("only 'issuers' is allowed at the top level")
    configs = tuple(
        _issuer(entry, index, local_issuer) for index, entry in enumerate(document["issuers"])
    )
    for attribute in ("name", "issuer"):
        values = [getattr(config, attribute) for config in configs]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise IssuerConfigError(f"{attribute} {duplicates[0]!r} is configured twice")
    return configs


def _issuer(entry: object, index: int, local_issuer: str) -> IssuerConfig:
    where = f"issuers[{index}]"
    if not isinstance(entry, dict):
        raise IssuerConfigError(f"{where} must be a table")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise IssuerConfigError(f"{where}: unknown setting {unknown[0]!r}")
    name = _text(entry, "name", where)
    if not _NAME.fullmatch(name):
        raise IssuerConfigError(f"{where}: name must match [a-z][a-z0-9-]{{1,31}}")
    where = f"issuer {name!r}"
    issuer = _text(entry, "issuer", where)
    if issuer == local_issuer:
        raise IssuerConfigError(f"{where}: issuer is Liaison's own ({local_issuer})")
    jwks_uri = _text(entry, "jwks_uri", where)
    if not jwks_uri.startswith(("https://", "http://")) or not is_secure_transport(jwks_uri):
        raise IssuerConfigError(f"{where}: jwks_uri must be https (http only on loopback)")
    algorithms = tuple(_strings(entry, "algorithms", where))
    bad = [a for a in algorithms if a not in ALGORITHM_KEYS]
    if not algorithms or bad:
        raise IssuerConfigError(
            f"{where}: algorithms must be a non-empty list of {', '.join(ALGORITHM_KEYS)}"
            + (f" ({bad[0]!r} is not accepted)" if bad else "")
        )
    token_types = frozenset(t.lower() for t in _strings(entry, "token_types", where, ["at+jwt"]))
    if not token_types or not token_types <= TOKEN_TYPES:
        raise IssuerConfigError(f"{where}: token_types must be a list of at+jwt, jwt")
    department, department_claim, departments = _department_mapping(entry, where)
    return IssuerConfig(
        name=name,
        issuer=issuer,
        jwks_uri=jwks_uri,
        audience=_text(entry, "audience", where),
        algorithms=algorithms,
        token_types=token_types,
        department=department,
        department_claim=department_claim,
        departments=departments,
        roles_claim=_claim_path(entry.get("roles_claim", "roles"), "roles_claim", where),
        roles=_role_mapping(entry, where),
        leeway_seconds=int(_number(entry, "leeway_seconds", where, 30, 0, 300)),
        jwks_cooldown_seconds=_number(entry, "jwks_cooldown_seconds", where, 60, 0.01, 86_400),
        jwks_max_age_seconds=_number(entry, "jwks_max_age_seconds", where, 3600, 1, 604_800),
        console=_console(entry, where),
    )


_CONSOLE_ENDPOINTS: Final = ("authorization_endpoint", "token_endpoint", "revocation_endpoint")


def _console(entry: dict[str, Any], where: str) -> ConsoleSignIn | None:
    if "console_client_id" not in entry:
        given = [key for key in (*_CONSOLE_ENDPOINTS, "console_scopes") if key in entry]
        if given:
            raise IssuerConfigError(f"{where}: {given[0]} needs console_client_id")
        return None
    client_id = _text(entry, "console_client_id", where)
    endpoints: dict[str, str | None] = {}
    for key in _CONSOLE_ENDPOINTS:
        if key not in entry and key == "revocation_endpoint":
            endpoints[key] = None
            continue
        url = _text(entry, key, where)
        if not url.startswith(("https://", "http://")) or not is_secure_transport(url):
            raise IssuerConfigError(f"{where}: {key} must be https (http only on loopback)")
        endpoints[key] = url
    return ConsoleSignIn(
        client_id=client_id,
        authorization_endpoint=str(endpoints["authorization_endpoint"]),
        token_endpoint=str(endpoints["token_endpoint"]),
        revocation_endpoint=endpoints["revocation_endpoint"],
        scopes=tuple(_strings(entry, "console_scopes", where, [])),
    )


def _department_mapping(
    entry: dict[str, Any], where: str
) -> tuple[str | None, ClaimPath | None, dict[str, str]]:
    fixed = entry.get("department")
    claim = entry.get("department_claim")
    table = entry.get("departments")
    if (fixed is None) == (claim is None):
        raise IssuerConfigError(
            f"{where}: set either department (one department) or department_claim with "
            "departments (claim value -> department code)"
        )
    if fixed is not None:
        if table is not None:
            raise IssuerConfigError(f"{where}: departments needs department_claim")
        if not isinstance(fixed, str) or not _DEPARTMENT_CODE.fullmatch(fixed):
            raise IssuerConfigError(f"{where}: department must be a department code")
        return fixed, None, {}
    if not isinstance(table, dict) or not table:
        raise IssuerConfigError(
            f"{where}: department_claim needs departments, a table of claim value -> "
            "department code naming every department this issuer may speak for"
        )
    for value, code in table.items():
        if not isinstance(code, str) or not _DEPARTMENT_CODE.fullmatch(code):
            raise IssuerConfigError(f"{where}: departments[{value!r}] must be a department code")
    return None, _claim_path(claim, "department_claim", where), dict(table)


def _role_mapping(entry: dict[str, Any], where: str) -> dict[str, Role] | None:
    table = entry.get("roles")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise IssuerConfigError(f"{where}: roles must be a table of claim value -> role")
    roles = {}
    for value, role in table.items():
        if role not in {r.value for r in Role}:
            raise IssuerConfigError(
                f"{where}: roles[{value!r}] must be one of {', '.join(r.value for r in Role)}"
            )
        roles[str(value)] = Role(role)
    return roles


def _claim_path(value: object, setting: str, where: str) -> ClaimPath:
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list) and value and all(isinstance(p, str) and p for p in value):
        return tuple(value)
    raise IssuerConfigError(
        f"{where}: {setting} must be a claim name or a list of names (a path into the token)"
    )


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise IssuerConfigError(f"{where}: {key} is required (a non-empty string)")
    return value


def _strings(
    entry: dict[str, Any], key: str, where: str, default: list[str] | None = None
) -> list[str]:
    value = entry.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IssuerConfigError(f"{where}: {key} must be a list of strings")
    return value


def _number(
    entry: dict[str, Any], key: str, where: str, default: float, low: float, high: float
) -> float:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise IssuerConfigError(f"{where}: {key} must be a number from {low} to {high}")
    return float(value)
