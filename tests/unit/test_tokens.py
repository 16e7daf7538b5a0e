from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from liaison.api.keys import KeyFileError, SigningKeys
from liaison.api.tokens import (
    MAX_TOKEN_BYTES,
    InvalidToken,
    mint_access_token,
    verify_access_token,
)
from liaison.permissions.principal import Principal, Role

ISSUER = "https://auth.liaison.example"
AUDIENCE = "https://api.liaison.example"
NOW = 1_750_000_000
LEEWAY = 30

# Keys that belong to nobody we trust.
ATTACKER_EC = ec.generate_private_key(ec.SECP256R1())
ATTACKER_P384 = ec.generate_private_key(ec.SECP384R1())
ATTACKER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)

Signer = Callable[[bytes], bytes]
Changes = Mapping[str, object]
MISSING = object()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def json_segment(value: object) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def decode_segment(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def es_signer(key: ec.EllipticCurvePrivateKey, digest: hashes.HashAlgorithm) -> Signer:
    size = (key.curve.key_size + 7) // 8

    def sign(signing_input: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(digest)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    return sign


def rs256_signer(key: rsa.RSAPrivateKey) -> Signer:
    return lambda signing_input: key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())


def hs256_signer(secret: bytes) -> Signer:
    return lambda signing_input: hmac.new(secret, signing_input, hashlib.sha256).digest()


def unsigned(_: bytes) -> bytes:
    return b""


def public_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


def self_signed_certificate(key: ec.EllipticCurvePrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2025, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2035, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def changed(base: dict[str, object], changes: Changes | None) -> dict[str, object]:
    result = dict(base)
    for name, value in (changes or {}).items():
        if value is MISSING:
            del result[name]
        else:
            result[name] = value
    return result


@dataclass(frozen=True)
class Forge:
    """Builds tokens by hand, so a hostile token is exactly what an attacker could send."""

    keys: SigningKeys

    @property
    def our_signer(self) -> Signer:
        private_key = self.keys.signing_key.private_key
        assert private_key is not None
        return es_signer(private_key, hashes.SHA256())

    @property
    def our_public_key_pem(self) -> bytes:
        return self.keys.signing_key.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def token(
        self,
        *,
        header: Changes | None = None,
        claims: Changes | None = None,
        signer: Signer | None = None,
    ) -> str:
        base_header: dict[str, object] = {
            "alg": "ES256",
            "typ": "at+jwt",
            "kid": self.keys.signing_kid,
        }
        base_claims: dict[str, object] = {
            "iss": ISSUER,
            "sub": "officer-17",
            "aud": AUDIENCE,
            "exp": NOW + 600,
            "iat": NOW,
            "nbf": NOW,
            "jti": "jti-1",
            "client_id": "customs-portal",
            "department": "customs",
            "roles": ["reader"],
        }
        return self.raw(
            json_segment(changed(base_header, header)),
            json_segment(changed(base_claims, claims)),
            signer or self.our_signer,
        )

    @staticmethod
    def raw(header_segment: str, payload_segment: str, signer: Signer) -> str:
        signing_input = f"{header_segment}.{payload_segment}"
        return f"{signing_input}.{b64url(signer(signing_input.encode('ascii')))}"


@pytest.fixture
def keys(tmp_path: Path) -> SigningKeys:
    return SigningKeys.load_or_create(tmp_path / "data")


@pytest.fixture
def forge(keys: SigningKeys) -> Forge:
    return Forge(keys)


def mint(keys: SigningKeys, **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "subject": "officer-17",
        "department": "customs",
        "roles": [Role.READER, "steward"],
        "client_id": "customs-portal",
        "lifetime_seconds": 600,
        "now": NOW,
        "token_id": "jti-1",
    }
    return mint_access_token(keys, **{**arguments, **changes})


def verify(token: str, keys: SigningKeys) -> Principal:
    return verify_access_token(
        token, keys, issuer=ISSUER, audience=AUDIENCE, leeway_seconds=LEEWAY, now=NOW
    )


def test_a_minted_token_verifies_back_to_its_principal(keys: SigningKeys) -> None:
    token = mint(keys)

    principal = verify(token, keys)

    assert principal == Principal(
        subject="officer-17",
        department="customs",
        roles=frozenset({Role.READER, Role.STEWARD}),
        client_id="customs-portal",
        token_id="jti-1",
        expires_at=NOW + 600,
    )


def test_a_minted_token_carries_the_rfc_9068_header_and_claims(keys: SigningKeys) -> None:
    header_segment, payload_segment, _ = mint(keys).split(".")

    header, claims = decode_segment(header_segment), decode_segment(payload_segment)

    assert header == {"alg": "ES256", "typ": "at+jwt", "kid": keys.signing_kid}
    assert claims == {
        "iss": ISSUER,
        "sub": "officer-17",
        "aud": AUDIENCE,
        "exp": NOW + 600,
        "iat": NOW,
        "nbf": NOW,
        "jti": "jti-1",
        "client_id": "customs-portal",
        "department": "customs",
        "roles": ["reader", "steward"],
    }


def test_each_minted_token_gets_a_fresh_random_token_id(keys: SigningKeys) -> None:
    first, second = mint(keys, token_id=None), mint(keys, token_id=None)

    assert verify(first, keys).token_id != verify(second, keys).token_id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"department": "Customs"}, "department", id="uppercase department"),
        pytest.param({"department": "c"}, "department", id="one-letter department"),
        pytest.param({"department": "customs\n"}, "department", id="department with newline"),
        pytest.param({"roles": ["reader", "superuser"]}, "superuser", id="unknown role"),
        pytest.param({"lifetime_seconds": 0}, "lifetime_seconds", id="zero lifetime"),
        pytest.param({"subject": ""}, "subject", id="empty subject"),
        pytest.param({"subject": "s" * MAX_TOKEN_BYTES}, "exceed", id="oversized token"),
    ],
)
def test_minting_refuses_what_verification_would_refuse(
    keys: SigningKeys, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        mint(keys, **changes)


def test_key_file_is_created_private_and_reloads_with_the_same_kid(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    created = SigningKeys.load_or_create(data_dir)
    reloaded = SigningKeys.load_or_create(data_dir)

    key_file = data_dir / "signing-keys.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert reloaded.kids == created.kids == (created.signing_kid,)
    assert verify(mint(created), reloaded).subject == "officer-17"


def test_kid_is_the_rfc_7638_thumbprint_of_the_public_key(keys: SigningKeys) -> None:
    (jwk,) = keys.public_jwks()["keys"]

    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()

    assert jwk["kid"] == b64url(hashlib.sha256(canonical).digest()) == keys.signing_kid


def test_public_jwks_publishes_public_parts_only(keys: SigningKeys) -> None:
    (jwk,) = keys.public_jwks()["keys"]

    assert set(jwk) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
    assert (jwk["kty"], jwk["crv"], jwk["use"], jwk["alg"]) == ("EC", "P-256", "sig", "ES256")


def test_verification_keys_are_public_only(keys: SigningKeys) -> None:
    key = keys.verification_key(keys.signing_kid)

    assert key is not None
    assert not key.is_private
    assert keys.verification_key("unknown-kid") is None


def test_repr_shows_key_ids_but_no_private_key_material(keys: SigningKeys) -> None:
    private_d = keys.signing_key.as_dict(private=True)["d"]
    assert isinstance(private_d, str)

    shown = [repr(keys), str(keys)]

    assert all(keys.signing_kid in text and private_d not in text for text in shown)


def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_kid(
    tmp_path: Path,
) -> None:
    keys = SigningKeys.load_or_create(tmp_path / "data")
    old_kid = keys.signing_kid
    old_token = mint(keys)

    new_kid = keys.rotate()
    new_token = mint(keys)
    reloaded = SigningKeys.load_or_create(tmp_path / "data")

    assert new_kid != old_kid
    assert reloaded.kids == keys.kids == (new_kid, old_kid)
    assert decode_segment(new_token.split(".")[0])["kid"] == new_kid
    assert verify(old_token, reloaded).token_id == verify(new_token, reloaded).token_id
    assert [jwk["kid"] for jwk in reloaded.public_jwks()["keys"]] == [new_kid, old_kid]
    assert stat.S_IMODE((tmp_path / "data" / "signing-keys.json").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        pytest.param(lambda doc: "not json", "cannot read", id="not JSON"),
        pytest.param(lambda doc: json.dumps({"keys": []}), "no signing keys", id="empty key list"),
        pytest.param(
            lambda doc: json.dumps({"keys": [{**doc["keys"][0], "kid": "forged"}]}),
            "thumbprint",
            id="kid that is not the thumbprint",
        ),
        pytest.param(
            lambda doc: json.dumps(
                {"keys": [{k: v for k, v in doc["keys"][0].items() if k != "d"}]}
            ),
            "public key",
            id="public key only",
        ),
    ],
)
def test_a_tampered_key_file_is_refused(
    tmp_path: Path, corrupt: Callable[[dict[str, Any]], str], message: str
) -> None:
    SigningKeys.load_or_create(tmp_path)
    key_file = tmp_path / "signing-keys.json"
    key_file.write_text(corrupt(json.loads(key_file.read_text())))

    with pytest.raises(KeyFileError, match=message):
        SigningKeys.load_or_create(tmp_path)


HOSTILE_TOKENS = [
    pytest.param(
        lambda f: f.token(header={"alg": "none"}, signer=unsigned),
        "token algorithm must be ES256",
        id="alg none",
    ),
    pytest.param(
        lambda f: f.token(header={"alg": "HS256"}, signer=hs256_signer(f.our_public_key_pem)),
        "token algorithm must be ES256",
        id="HS256 keyed with our public key",
    ),
    pytest.param(
        lambda f: f.token(header={"alg": "RS256"}, signer=rs256_signer(ATTACKER_RSA)),
        "token algorithm must be ES256",
        id="RS256 from another key",
    ),
    pytest.param(
        lambda f: f.token(
            header={"alg": "ES384"}, signer=es_signer(ATTACKER_P384, hashes.SHA384())
        ),
        "token algorithm must be ES256",
        id="ES384 from another key",
    ),
    pytest.param(
        lambda f: f.token(signer=es_signer(ATTACKER_EC, hashes.SHA256())),
        "signature does not verify",
        id="another EC key under our kid",
    ),
    pytest.param(
        lambda f: f.token(
            header={"jwk": public_jwk(ATTACKER_EC)}, signer=es_signer(ATTACKER_EC, hashes.SHA256())
        ),
        "token header must not contain jwk",
        id="embedded jwk",
    ),
    pytest.param(
        lambda f: f.token(
            header={"jku": "https://attacker.example/jwks.json"},
            signer=es_signer(ATTACKER_EC, hashes.SHA256()),
        ),
        "token header must not contain jku",
        id="jku",
    ),
    pytest.param(
        lambda f: f.token(
            header={"x5u": "https://attacker.example/cert.pem"},
            signer=es_signer(ATTACKER_EC, hashes.SHA256()),
        ),
        "token header must not contain x5u",
        id="x5u",
    ),
    pytest.param(
        lambda f: f.token(
            header={"x5c": [self_signed_certificate(ATTACKER_EC)]},
            signer=es_signer(ATTACKER_EC, hashes.SHA256()),
        ),
        "token header must not contain x5c",
        id="x5c",
    ),
    pytest.param(
        lambda f: f.token(header={"crit": ["urn:liaison:ext"], "urn:liaison:ext": True}),
        "token header must not contain crit",
        id="crit",
    ),
    pytest.param(
        lambda f: f.token(header={"cty": "JWT"}),
        "token header contains unsupported parameters",
        id="unexpected header parameter",
    ),
    pytest.param(
        lambda f: f.token(header={"typ": "JWT"}),
        "token type must be at+jwt",
        id="typ JWT",
    ),
    pytest.param(
        lambda f: f.token(header={"typ": "id_token+jwt"}),
        "token type must be at+jwt",
        id="typ of an ID token",
    ),
    pytest.param(
        lambda f: f.token(header={"typ": MISSING}),
        "token type must be at+jwt",
        id="missing typ",
    ),
    pytest.param(
        lambda f: f.token(header={"kid": "not-one-of-ours"}),
        "token key id is not recognised",
        id="unknown kid",
    ),
    pytest.param(
        lambda f: f.token(header={"kid": MISSING}),
        "token has no key id",
        id="missing kid",
    ),
    pytest.param(
        lambda f: f.token(claims={"iss": [ISSUER, "https://attacker.example"]}),
        "token issuer is not accepted",
        id="list-valued iss",
    ),
    pytest.param(
        lambda f: f.token(claims={"iss": "https://attacker.example"}),
        "token issuer is not accepted",
        id="wrong iss",
    ),
    pytest.param(
        lambda f: f.token(claims={"aud": "https://other-api.example"}),
        "token audience is not accepted",
        id="wrong aud",
    ),
    pytest.param(
        lambda f: f.token(claims={"exp": MISSING}),
        "token is missing the exp claim",
        id="missing exp",
    ),
    pytest.param(
        lambda f: f.token(claims={"exp": NOW - LEEWAY - 1}),
        "token has expired",
        id="expired",
    ),
    pytest.param(
        lambda f: f.token(claims={"exp": NOW - LEEWAY}),
        "token has expired",
        id="expired exactly at the end of the leeway",
    ),
    pytest.param(
        lambda f: f.token(claims={"nbf": NOW + LEEWAY + 1}),
        "token is not yet valid",
        id="nbf in future",
    ),
    pytest.param(
        lambda f: f.token(claims={"iat": MISSING}),
        "token is missing the iat claim",
        id="missing iat",
    ),
    pytest.param(
        lambda f: f.token(claims={"department": MISSING}),
        "token is missing the department claim",
        id="missing department",
    ),
    pytest.param(
        lambda f: f.token(claims={"department": "Customs"}),
        "token department claim is invalid",
        id="bad department code",
    ),
    pytest.param(
        lambda f: f.token(claims={"department": "customs\n"}),
        "token department claim is invalid",
        id="department code with trailing newline",
    ),
    pytest.param(
        lambda f: f.token(claims={"roles": ["reader", "superuser"]}),
        "token has an unknown role",
        id="unknown role",
    ),
    pytest.param(
        lambda f: f.token(claims={"roles": "admin"}),
        "token roles claim must be a list of strings",
        id="roles as a bare string",
    ),
    pytest.param(
        lambda f: f.token(claims={"client_id": 7}),
        "token client_id claim is invalid",
        id="non-string client_id",
    ),
    pytest.param(
        lambda f: f.token(claims={"padding": "A" * MAX_TOKEN_BYTES}),
        "token is too large",
        id="oversized token",
    ),
    pytest.param(
        lambda f: "this is not a token",
        "token is not a compact JWS",
        id="garbage string",
    ),
    pytest.param(
        lambda f: f.raw(b64url(b"not json"), json_segment({}), f.our_signer),
        "token header is not base64url-encoded JSON",
        id="undecodable header",
    ),
    pytest.param(
        lambda f: f.raw(
            b64url(
                b'{"alg":"none","alg":"ES256","typ":"at+jwt","kid":"%s"}'
                % f.keys.signing_kid.encode()
            ),
            json_segment({}),
            f.our_signer,
        ),
        "token header is not base64url-encoded JSON",
        id="duplicate header names",
    ),
    pytest.param(
        lambda f: f.raw(
            json_segment({"alg": "ES256", "typ": "at+jwt", "kid": f.keys.signing_kid}),
            b64url(b"[1, 2, 3]"),
            f.our_signer,
        ),
        "token payload is not a JSON object",
        id="payload that is not an object",
    ),
]


@pytest.mark.parametrize(("build", "reason"), HOSTILE_TOKENS)
def test_a_hostile_or_mistaken_token_is_rejected_with_its_reason(
    forge: Forge, build: Callable[[Forge], str], reason: str
) -> None:
    token = build(forge)

    with pytest.raises(InvalidToken) as rejected:
        verify(token, forge.keys)

    assert rejected.value.reason == reason


ACCEPTABLE_TOKENS = [
    pytest.param({"typ": "application/at+jwt"}, {}, id="full media type"),
    pytest.param({"typ": "AT+JWT"}, {}, id="typ in upper case"),
    pytest.param({}, {"aud": ["https://other-api.example", AUDIENCE]}, id="aud list with ours"),
    pytest.param({}, {"exp": NOW - LEEWAY + 1}, id="expired within the leeway"),
    pytest.param({}, {"nbf": NOW + LEEWAY}, id="nbf within the leeway"),
    pytest.param({}, {"nbf": MISSING}, id="no nbf"),
    pytest.param({}, {"roles": []}, id="no roles"),
]


@pytest.mark.parametrize(("header", "claims"), ACCEPTABLE_TOKENS)
def test_a_token_at_the_edge_of_the_rules_is_still_accepted(
    forge: Forge, header: Changes, claims: Changes
) -> None:
    token = forge.token(header=header, claims=claims)

    principal = verify(token, forge.keys)

    assert principal.subject == "officer-17"
