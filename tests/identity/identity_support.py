"""Helpers for the identity tests: a real JWKS endpoint on 127.0.0.1, external identity
providers' keys, and tokens forged by hand so that a hostile token is exactly what an
attacker could send."""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from joserfc.jwk import ECKey, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from liaison.api.cli import main

Signer = Callable[[bytes], bytes]
Changes = Mapping[str, object]
MISSING = object()

ME = "{ me { subject department roles clientId } }"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def json_segment(value: object) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def decode_segment(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def es256_signer(key: ec.EllipticCurvePrivateKey) -> Signer:
    def sign(signing_input: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return sign


def rs256_signer(key: rsa.RSAPrivateKey) -> Signer:
    return lambda signing_input: key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())


def hs256_signer(secret: bytes) -> Signer:
    return lambda signing_input: hmac.new(secret, signing_input, hashlib.sha256).digest()


def unsigned(_: bytes) -> bytes:
    return b""


def changed(base: dict[str, object], changes: Changes | None) -> dict[str, object]:
    result = dict(base)
    for name, value in (changes or {}).items():
        if value is MISSING:
            del result[name]
        else:
            result[name] = value
    return result


def raw_token(header: Mapping[str, object], claims: Mapping[str, object], signer: Signer) -> str:
    signing_input = f"{json_segment(header)}.{json_segment(claims)}"
    return f"{signing_input}.{b64url(signer(signing_input.encode('ascii')))}"


@dataclass
class IdP:
    """An external identity provider: its issuer URL, signing key and usual claims."""

    name: str
    issuer: str
    alg: str
    kid: str
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    claims: dict[str, object]
    typ: str = "at+jwt"

    @property
    def signer(self) -> Signer:
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return rs256_signer(self.private_key)
        return es256_signer(self.private_key)

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def public_jwk(self, kid: str | None = None) -> dict[str, Any]:
        return public_jwk(self.private_key, kid or self.kid, self.alg)

    def token(
        self,
        *,
        header: Changes | None = None,
        claims: Changes | None = None,
        signer: Signer | None = None,
        now: int | None = None,
    ) -> str:
        issued = int(time.time()) if now is None else now
        base_header: dict[str, object] = {"alg": self.alg, "typ": self.typ, "kid": self.kid}
        base_claims: dict[str, object] = {
            "iss": self.issuer,
            "aud": "urn:liaison:test-api",
            "iat": issued,
            "nbf": issued,
            "exp": issued + 600,
            "jti": secrets.token_hex(8),
            **self.claims,
        }
        return raw_token(
            changed(base_header, header), changed(base_claims, claims), signer or self.signer
        )


def public_jwk(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str, alg: str | None
) -> dict[str, Any]:
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    jwk = (RSAKey if isinstance(key, rsa.RSAPrivateKey) else ECKey).import_key(pem)
    document = dict(jwk.as_dict(private=False))
    document.update({"kid": kid, "use": "sig"})
    if alg is not None:
        document["alg"] = alg
    return document


@dataclass
class JWKSServer:
    """A real JWKS endpoint: ``/<name>/jwks.json`` serves ``key_sets[name]``, and counts."""

    key_sets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hits: collections.Counter[str] = field(default_factory=collections.Counter)
    failing: set[str] = field(default_factory=set)
    base: str = ""

    def url(self, name: str) -> str:
        return f"{self.base}/{name}/jwks.json"

    async def _serve(self, request: Request) -> JSONResponse:
        name = request.path_params["name"]
        self.hits[name] += 1
        if name in self.failing:
            return JSONResponse({"error": "unavailable"}, status_code=503)
        return JSONResponse({"keys": self.key_sets.get(name, [])})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{name}/jwks.json", self._serve)])


async def me(http: httpx.AsyncClient, bearer: str) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {bearer}"}
    )


def assert_refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    assert body["errors"][0]["message"] == reason
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def run_cli(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """The ``liaison`` command in a worker thread (it runs its own event loop)."""
    return await asyncio.to_thread(CliRunner(env=env).invoke, main, list(args))
