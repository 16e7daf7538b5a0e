"""An external issuer's JSON Web Key Set, fetched over HTTPS and cached: an unknown ``kid``
triggers at most one refetch per cool-down period, whatever the traffic."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any, Final

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey
from joserfc.util import urlsafe_b64decode

log = logging.getLogger("liaison.jwks")

MAX_JWKS_BYTES: Final = 256 * 1024
FETCH_TIMEOUT_SECONDS: Final = 5.0
MIN_RSA_BITS: Final = 2048

PublicKey = RSAKey | ECKey | OKPKey
Fetch = Callable[[str], Awaitable[bytes]]

# Private and symmetric members are dropped before import: we verify, we never sign, and a
# symmetric ("oct") key in a key set is refused outright (HS/RS confusion, RFC 8725 §2.1).
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_ASYMMETRIC_TYPES: Final = frozenset({"RSA", "EC", "OKP"})


class JWKSUnavailable(Exception):
    """The key set could not be fetched or read; the message names the URL only."""


class JWKSCache:
    """Keys by ``kid``, from one JWKS URL.

    Security contract:
    - keys are refetched when older than ``max_age`` or when a token names an unknown kid,
      but never more than once per ``cooldown`` seconds (failed attempts count), and
      concurrent requests share one fetch: a flood of tokens with made-up kids costs the
      issuer one request per cool-down, not one per token;
    - a failed refetch keeps the keys already held;
    - only public, asymmetric signature keys with a kid are kept (``oct`` keys, keys for
      ``use`` other than ``sig`` and RSA keys under 2048 bits are dropped).
    """

    def __init__(
        self,
        url: str,
        *,
        cooldown: float,
        max_age: float,
        fetch: Fetch | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.cooldown = cooldown
        self.max_age = max_age
        self._fetch = fetch or fetch_over_http
        self._clock = clock
        self._keys: dict[str, PublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at = float("-inf")
        self._lock: asyncio.Lock | None = None
        self.fetches = 0

    @property
    def loaded(self) -> bool:
        return self._fetched_at is not None

    async def key(self, kid: str) -> PublicKey | None:
        fetched_at = self._fetched_at
        if fetched_at is None or self._clock() - fetched_at >= self.max_age:
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            await self._refresh()
            key = self._keys.get(kid)
        return key

    async def _refresh(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            now = self._clock()
            if now - self._attempted_at < self.cooldown:
                return  # fetched (or failed) a moment ago, perhaps while we waited
            self._attempted_at = now
            self.fetches += 1
            try:
                keys = parse_jwks(await self._fetch(self.url))
            except JWKSUnavailable as exc:
                log.warning("%s; keeping %d key(s) already held", exc, len(self._keys))
                return
            self._keys, self._fetched_at = keys, now
            log.info("fetched %d signing key(s) from %s", len(keys), self.url)


async def fetch_over_http(url: str) -> bytes:
    return await asyncio.to_thread(_fetch_blocking, url)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # The configured URL is the trust anchor: a redirect could lead anywhere (or to http).
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _fetch_blocking(url: str) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked at configuration
        url, headers={"Accept": "application/jwk-set+json, application/json"}
    )
    try:
        with _OPENER.open(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            if response.status != 200:
                raise JWKSUnavailable(f"JWKS {url} answered HTTP {response.status}")
            body: bytes = response.read(MAX_JWKS_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise JWKSUnavailable(f"JWKS {url} answered HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise JWKSUnavailable(f"JWKS {url} is unreachable: {type(exc).__name__}") from None
    if len(body) > MAX_JWKS_BYTES:
        raise JWKSUnavailable(f"JWKS {url} exceeds {MAX_JWKS_BYTES} bytes")
    return body


def parse_jwks(body: bytes) -> dict[str, PublicKey]:
    try:
        document = json.loads(body)
    except ValueError:
        raise JWKSUnavailable("JWKS is not JSON") from None
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise JWKSUnavailable("JWKS has no 'keys' list")
    keys: dict[str, PublicKey] = {}
    for entry in entries:
        key = _public_signature_key(entry)
        if key is None or key.kid is None:
            continue
        if key.kid in keys:
            log.warning("JWKS lists kid %r twice; the first is kept", key.kid)
            continue
        keys[key.kid] = key
    return keys


def _public_signature_key(entry: object) -> PublicKey | None:
    if not isinstance(entry, dict) or entry.get("kty") not in _ASYMMETRIC_TYPES:
        return None
    if entry.get("use") not in (None, "sig") or not isinstance(entry.get("kid"), str):
        return None
    if entry["kty"] == "RSA" and _modulus_bits(entry.get("n")) < MIN_RSA_BITS:
        return None  # before import, which would only warn
    public = {name: value for name, value in entry.items() if name not in _PRIVATE_MEMBERS}
    try:
        key = JWKRegistry.import_key(public)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    if isinstance(key, RSAKey) and key.public_key.key_size < MIN_RSA_BITS:
        return None
    if not isinstance(key, RSAKey | ECKey | OKPKey):
        return None
    return key


def _modulus_bits(n: object) -> int:
    if not isinstance(n, str):
        return 0
    try:
        return int.from_bytes(urlsafe_b64decode(n.encode("ascii")), "big").bit_length()
    except (ValueError, UnicodeError):
        return 0
