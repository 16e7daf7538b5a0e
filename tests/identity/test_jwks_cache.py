"""The JWKS cache against the real endpoint on 127.0.0.1, with a clock the test moves: the
default cool-down of 60 s and the maximum age, counted at the server."""

from __future__ import annotations

import asyncio
import base64
import json
import warnings

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from identity.identity_support import IdP, JWKSServer, public_jwk
from liaison.api.jwks import JWKSCache, JWKSUnavailable, parse_jwks


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def cache_for(server: JWKSServer, clock: Clock, name: str = "customs") -> JWKSCache:
    return JWKSCache(server.url(name), cooldown=60, max_age=3600, clock=clock)


async def test_unknown_kids_refetch_once_per_sixty_seconds(
    jwks_server: JWKSServer, customs_idp: IdP, clock: Clock
) -> None:
    cache = cache_for(jwks_server, clock)
    before = jwks_server.hits["customs"]

    assert await cache.key(customs_idp.kid) is not None
    clock.now += 59
    assert await cache.key("unknown-1") is None
    assert await cache.key("unknown-2") is None
    fetched_in_first_minute = jwks_server.hits["customs"] - before
    clock.now += 1
    assert await cache.key("unknown-3") is None
    assert await cache.key("unknown-4") is None

    assert fetched_in_first_minute == 1
    assert jwks_server.hits["customs"] - before == 2
    assert cache.fetches == 2


async def test_concurrent_requests_for_an_unknown_kid_share_one_fetch(
    jwks_server: JWKSServer, customs_idp: IdP, clock: Clock
) -> None:
    cache = cache_for(jwks_server, clock)
    before = jwks_server.hits["customs"]

    found = await asyncio.gather(*(cache.key(f"unknown-{n}") for n in range(50)))

    assert found == [None] * 50
    assert jwks_server.hits["customs"] - before == 1
    assert await cache.key(customs_idp.kid) is not None
    assert jwks_server.hits["customs"] - before == 1


async def test_a_key_added_by_the_issuer_is_found_on_the_first_unknown_kid_after_the_cool_down(
    jwks_server: JWKSServer, customs_idp: IdP, clock: Clock
) -> None:
    cache = cache_for(jwks_server, clock)
    assert await cache.key(customs_idp.kid) is not None
    added = public_jwk(
        rsa.generate_private_key(public_exponent=65537, key_size=2048), "customs-next", "RS256"
    )
    jwks_server.key_sets["customs"].append(added)
    try:
        clock.now += 61
        key = await cache.key("customs-next")
    finally:
        jwks_server.key_sets["customs"].remove(added)

    assert key is not None
    assert key.kid == "customs-next"


async def test_keys_older_than_the_maximum_age_are_refetched_and_kept_if_that_fails(
    jwks_server: JWKSServer, customs_idp: IdP, clock: Clock
) -> None:
    cache = cache_for(jwks_server, clock)
    before = jwks_server.hits["customs"]
    assert await cache.key(customs_idp.kid) is not None

    clock.now += 3600
    jwks_server.failing.add("customs")
    try:
        key = await cache.key(customs_idp.kid)
    finally:
        jwks_server.failing.discard("customs")

    assert jwks_server.hits["customs"] - before == 2
    assert key is not None  # a failed refetch keeps the keys already held


async def test_an_issuer_down_at_first_use_is_asked_again_only_after_the_cool_down(
    jwks_server: JWKSServer, customs_idp: IdP, clock: Clock
) -> None:
    cache = cache_for(jwks_server, clock)
    before = jwks_server.hits["customs"]
    jwks_server.failing.add("customs")
    try:
        assert await cache.key(customs_idp.kid) is None
        assert await cache.key(customs_idp.kid) is None
    finally:
        jwks_server.failing.discard("customs")
    assert not cache.loaded
    clock.now += 60

    assert await cache.key(customs_idp.kid) is not None
    assert jwks_server.hits["customs"] - before == 2


async def test_a_redirect_is_not_followed(jwks_server: JWKSServer, clock: Clock) -> None:
    from starlette.applications import Starlette
    from starlette.responses import RedirectResponse
    from starlette.routing import Route

    from live_server import serving

    async def redirect(_: object) -> RedirectResponse:
        return RedirectResponse(jwks_server.url("customs"))

    async with serving(Starlette(routes=[Route("/jwks.json", redirect)])) as base:
        cache = JWKSCache(f"{base}/jwks.json", cooldown=60, max_age=3600, clock=clock)
        before = jwks_server.hits["customs"]

        assert await cache.key("customs-2026-1") is None

    assert jwks_server.hits["customs"] == before
    assert not cache.loaded


# ---------------------------------------------------------------------------------------
# What a key set may hold


def test_only_public_asymmetric_signature_keys_with_a_kid_are_kept(customs_idp: IdP) -> None:
    private = customs_idp.public_jwk("with-private-part")
    private["d"] = "AAAA"  # a careless key set: the private member is dropped, not used
    with warnings.catch_warnings():  # joserfc warns about the small key we make on purpose
        warnings.simplefilter("ignore")
        small = public_jwk(
            rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505
            "too-small",
            "RS256",
        )
    body = {
        "keys": [
            customs_idp.public_jwk("good"),
            {**customs_idp.public_jwk("encryption"), "use": "enc"},
            {k: v for k, v in customs_idp.public_jwk().items() if k != "kid"},
            {"kty": "oct", "kid": "hmac", "k": base64.urlsafe_b64encode(b"s" * 32).decode()},
            small,
            private,
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
            "not an object",
        ]
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        keys = parse_jwks(json.dumps(body).encode())

    assert sorted(keys) == ["good", "with-private-part"]
    assert not keys["with-private-part"].is_private


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"keys": {}}', b"{}"])
def test_a_body_that_is_not_a_key_set_is_refused(body: bytes) -> None:
    with pytest.raises(JWKSUnavailable):
        parse_jwks(body)
