"""Tokens of external identity providers through HTTP, verified against a real JWKS
endpoint on 127.0.0.1: claim mapping, and every RFC 8725 attack answered with a 401 that
names what was wrong."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from identity.conftest import client_for
from identity.identity_support import (
    MISSING,
    IdP,
    JWKSServer,
    assert_refused,
    hs256_signer,
    me,
    public_jwk,
    rs256_signer,
    unsigned,
)
from liaison.api.tokens import MAX_TOKEN_BYTES
from world import World

ATTACKER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKER_EC = ec.generate_private_key(ec.SECP256R1())


def certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker")])
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2035, 1, 1, tzinfo=dt.UTC))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(built.public_bytes(serialization.Encoding.DER)).decode()


async def test_a_token_of_a_configured_issuer_maps_to_its_department_and_roles(
    ihttp: httpx.AsyncClient, customs_idp: IdP, world: World
) -> None:
    response = await me(ihttp, customs_idp.token())

    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"] == {
        "subject": "customs-idp:officer-42",
        "department": "customs",
        "roles": ["reader"],  # liaison-reader mapped; offline_access is not Liaison's
        "clientId": "customs-idp:customs-portal",
    }


async def test_the_department_claim_picks_among_the_departments_the_issuer_may_speak_for(
    ihttp: httpx.AsyncClient, customs_idp: IdP, world: World
) -> None:
    token = customs_idp.token(
        claims={
            "org": "CN-EMERGENCY-SH",
            "realm_access": {"roles": ["liaison-reader", "liaison-writer"]},
        }
    )

    response = await me(ihttp, token)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"]["department"] == "emergency"
    assert response.json()["data"]["me"]["roles"] == ["contributor", "reader"]


async def test_an_issuer_with_one_department_and_plain_jwt_types_is_accepted_without_admin(
    ihttp: httpx.AsyncClient, park_idp: IdP, world: World
) -> None:
    response = await me(ihttp, park_idp.token())

    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"] == {
        "subject": "park-idp:inspector-7",
        "department": "park",
        "roles": ["reader"],  # "admin" is never conferred without an explicit roles table
        "clientId": "park-idp:park-app",  # from azp, as client_id is absent
    }


def with_attacker_rsa(idp: IdP, **header: object) -> str:
    return idp.token(header=header, signer=rs256_signer(ATTACKER_RSA))


HOSTILE: list[Any] = [
    pytest.param(
        lambda c, p: c.token(header={"alg": "none"}, signer=unsigned),
        "token algorithm must be RS256",
        id="alg none",
    ),
    pytest.param(
        lambda c, p: c.token(header={"alg": "HS256"}, signer=hs256_signer(c.public_pem)),
        "token algorithm must be RS256",
        id="HS256 keyed with the issuer's RSA public key",
    ),
    pytest.param(
        lambda c, p: c.token(
            header={"alg": "HS256"},
            signer=hs256_signer(str(c.public_jwk()).encode()),
        ),
        "token algorithm must be RS256",
        id="HS256 keyed with the issuer's JWK",
    ),
    pytest.param(
        lambda c, p: c.token(header={"alg": "ES256"}, signer=p.signer),
        "token algorithm must be RS256",
        id="another pinned algorithm's token",
    ),
    pytest.param(
        lambda c, p: c.token(signer=rs256_signer(ATTACKER_RSA)),
        "signature does not verify",
        id="another RSA key under the issuer's kid",
    ),
    pytest.param(
        lambda c, p: with_attacker_rsa(c, jwk=public_jwk(ATTACKER_RSA, "x", "RS256")),
        "token header must not contain jwk",
        id="embedded jwk",
    ),
    pytest.param(
        lambda c, p: with_attacker_rsa(c, jku="https://attacker.example/jwks.json"),
        "token header must not contain jku",
        id="jku",
    ),
    pytest.param(
        lambda c, p: with_attacker_rsa(c, x5u="https://attacker.example/cert.pem"),
        "token header must not contain x5u",
        id="x5u",
    ),
    pytest.param(
        lambda c, p: with_attacker_rsa(c, x5c=[certificate(ATTACKER_RSA)]),
        "token header must not contain x5c",
        id="x5c",
    ),
    pytest.param(
        lambda c, p: c.token(header={"crit": ["urn:example:ext"], "urn:example:ext": True}),
        "token header must not contain crit",
        id="unknown crit",
    ),
    pytest.param(
        lambda c, p: c.token(header={"cty": "JWT"}),
        "token header contains unsupported parameters",
        id="nested JWT",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"iss": [c.issuer, "https://attacker.example"]}),
        "token issuer is not accepted",
        id="list-valued iss",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"aud": "https://other-api.example"}),
        "token audience is not accepted",
        id="wrong aud",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"aud": MISSING}),
        "token is missing the aud claim",
        id="missing aud",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"exp": MISSING}),
        "token is missing the exp claim",
        id="missing exp",
    ),
    pytest.param(
        lambda c, p: c.token(now=int(time.time()) - 3600),
        "token has expired",
        id="expired",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"nbf": int(time.time()) + 3600}),
        "token is not yet valid",
        id="nbf in the future",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"jti": MISSING}),
        "token is missing the jti claim",
        id="missing jti (revocation needs it)",
    ),
    pytest.param(
        lambda c, p: c.token(header={"typ": MISSING}),
        "token type must be at+jwt",
        id="typ missing",
    ),
    pytest.param(
        lambda c, p: c.token(
            header={"typ": "JWT"},
            claims={"aud": "customs-portal", "nonce": "n-0S6_WzA2Mj"},
        ),
        "token type must be at+jwt",
        id="ID token",
    ),
    pytest.param(
        lambda c, p: p.token(claims={"nonce": "n-0S6_WzA2Mj", "at_hash": "77QmUPtjPfzWtF2A"}),
        "token is an ID token, not an access token",
        id="ID token where plain JWT typ is accepted",
    ),
    pytest.param(
        lambda c, p: p.token(claims={"aud": "park-app"}),
        "token audience is not accepted",
        id="ID token for the client where plain JWT typ is accepted",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"padding": "A" * MAX_TOKEN_BYTES}),
        "token is too large",
        id="oversized",
    ),
    pytest.param(
        lambda c, p: c.token(header={"kid": "rotated-away"}),
        "token key id is not recognised",
        id="unknown kid",
    ),
    pytest.param(
        lambda c, p: c.token(header={"kid": MISSING}),
        "token has no key id",
        id="missing kid",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"org": "CN-MARKET-SH"}),
        "token department is not one this issuer may speak for",
        id="department the issuer is not configured for",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"org": MISSING}),
        "token is missing the org claim",
        id="no department claim",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"realm_access": {"roles": [1, 2]}}),
        "token realm_access.roles claim must be a list of strings",
        id="roles not strings",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"sub": "x" * 300}),
        "token sub claim is invalid",
        id="overlong sub",
    ),
    pytest.param(
        lambda c, p: p.token(claims={"iss": c.issuer}),
        "token algorithm must be RS256",
        id="another issuer's token claiming this issuer",
    ),
    pytest.param(
        lambda c, p: c.token(header={"alg": "RS256"}, claims={"iss": p.issuer}),
        "token algorithm must be ES256",
        id="this issuer's token claiming another issuer",
    ),
    pytest.param(
        lambda c, p: c.token(claims={"iss": "urn:liaison:test"}),
        "token algorithm must be ES256",
        id="an external key claiming to be the local issuer",
    ),
]


@pytest.mark.parametrize(("build", "reason"), HOSTILE)
async def test_a_hostile_or_mistaken_external_token_is_refused_with_its_reason(
    ihttp: httpx.AsyncClient,
    customs_idp: IdP,
    park_idp: IdP,
    world: World,
    build: Callable[[IdP, IdP], str],
    reason: str,
) -> None:
    token = build(customs_idp, park_idp)

    response = await me(ihttp, token)

    assert_refused(response, reason)
    assert token not in response.text


async def test_a_key_of_the_wrong_type_for_the_pinned_algorithm_is_refused(
    make_app: Any, jwks_server: JWKSServer, park_idp: IdP, world: World
) -> None:
    # The park issuer's key set also lists an RSA key: an ES256 token naming it must not
    # be checked with it.
    jwks_server.key_sets["park"].append(public_jwk(ATTACKER_RSA, "park-rsa", None))
    try:
        async with client_for(make_app()) as client:
            response = await me(client, park_idp.token(header={"kid": "park-rsa"}))
    finally:
        jwks_server.key_sets["park"].pop()

    assert_refused(response, "token key does not match the token algorithm")


async def test_a_symmetric_key_in_the_issuers_key_set_is_never_used(
    make_app: Any, jwks_server: JWKSServer, customs_idp: IdP, world: World
) -> None:
    secret = b"0123456789abcdef0123456789abcdef"
    oct_key = {
        "kty": "oct",
        "kid": "customs-hmac",
        "k": base64.urlsafe_b64encode(secret).rstrip(b"=").decode(),
    }
    jwks_server.key_sets["customs"].append(oct_key)
    try:
        async with client_for(make_app()) as client:
            response = await me(
                client,
                customs_idp.token(header={"kid": "customs-hmac"}, signer=hs256_signer(secret)),
            )
    finally:
        jwks_server.key_sets["customs"].pop()

    # Dropped when the key set was read: as if it were not there.
    assert_refused(response, "token key id is not recognised")


# ---------------------------------------------------------------------------------------
# The JWKS cache, counted at the real endpoint


async def test_an_unknown_kid_refetches_the_key_set_at_most_once_per_cool_down(
    make_app: Any, jwks_server: JWKSServer, customs_idp: IdP, world: World
) -> None:
    # Long enough that a flood of 25 requests ends inside one cool-down on a loaded machine.
    cooldown = 2.0
    unknown = [customs_idp.token(header={"kid": f"made-up-{n}"}) for n in range(25)]
    async with client_for(make_app(cooldown=cooldown)) as client:
        before = jwks_server.hits["customs"]
        assert (await me(client, customs_idp.token())).status_code == 200
        assert jwks_server.hits["customs"] == before + 1  # first use fetches
        for _ in range(3):
            assert (await me(client, customs_idp.token())).status_code == 200
        assert jwks_server.hits["customs"] == before + 1  # then the keys are cached

        within = await me(client, unknown[0])
        assert jwks_server.hits["customs"] == before + 1  # fetched less than a cool-down ago

        await asyncio.sleep(cooldown + 0.1)
        after = await me(client, unknown[1])
        assert jwks_server.hits["customs"] == before + 2  # one refetch for the unknown kid

        flood = await asyncio.gather(*(me(client, token) for token in unknown))
        assert jwks_server.hits["customs"] == before + 2  # and none more in its cool-down

        await asyncio.sleep(cooldown + 0.1)
        flood += await asyncio.gather(*(me(client, token) for token in unknown))
        assert jwks_server.hits["customs"] == before + 3  # a flood costs one per cool-down

    for response in (within, after, *flood):
        assert_refused(response, "token key id is not recognised")


async def test_a_key_the_issuer_adds_is_picked_up_after_the_cool_down(
    make_app: Any, jwks_server: JWKSServer, customs_idp: IdP, world: World
) -> None:
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    async with client_for(make_app(cooldown=0.5)) as client:
        assert (await me(client, customs_idp.token())).status_code == 200
        jwks_server.key_sets["customs"].append(public_jwk(rotated, "customs-2026-2", "RS256"))
        try:
            token = customs_idp.token(
                header={"kid": "customs-2026-2"}, signer=rs256_signer(rotated)
            )
            early = await me(client, token)
            await asyncio.sleep(0.6)
            later = await me(client, token)
            again = await me(client, customs_idp.token())
        finally:
            jwks_server.key_sets["customs"].pop()

    assert_refused(early, "token key id is not recognised")
    assert later.status_code == 200, later.text
    assert again.status_code == 200, again.text  # the old key is still in the set


async def test_an_issuer_whose_key_set_cannot_be_fetched_gets_its_tokens_refused(
    make_app: Any, jwks_server: JWKSServer, customs_idp: IdP, world: World
) -> None:
    jwks_server.failing.add("customs")
    try:
        async with client_for(make_app()) as client:
            response = await me(client, customs_idp.token())
    finally:
        jwks_server.failing.discard("customs")

    assert_refused(response, "the token issuer's keys are unavailable")


async def test_a_string_of_space_separated_roles_is_read_like_a_scope(
    ihttp: httpx.AsyncClient, customs_idp: IdP, world: World
) -> None:
    token = customs_idp.token(claims={"realm_access": {"roles": "liaison-writer unrelated"}})

    response = await me(ihttp, token)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"]["roles"] == ["contributor"]
