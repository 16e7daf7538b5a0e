"""Client secrets: random, stored as salted scrypt hashes, compared in constant time."""

from __future__ import annotations

import pytest

from liaison.api.oauth import hash_secret, new_client_id, new_client_secret, verify_secret


def test_a_secret_verifies_against_its_hash_and_nothing_else_does() -> None:
    secret = new_client_secret()
    stored = hash_secret(secret)

    assert verify_secret(secret, stored)
    assert not verify_secret(secret + "x", stored)
    assert not verify_secret(secret[:-1], stored)
    assert not verify_secret(new_client_secret(), stored)


def test_each_hash_has_its_own_salt() -> None:
    secret = new_client_secret()

    first, second = hash_secret(secret), hash_secret(secret)

    assert first != second
    assert first.split("$")[:4] == ["scrypt", "16384", "8", "1"]
    assert verify_secret(secret, first)
    assert verify_secret(secret, second)


def test_secrets_and_client_ids_are_random_and_recognisable() -> None:
    secrets = {new_client_secret() for _ in range(100)}
    ids = {new_client_id("customs") for _ in range(100)}

    assert len(secrets) == len(ids) == 100
    assert all(s.startswith("lcs_") and len(s) == 47 for s in secrets)
    assert all(i.startswith("customs-") and len(i) == 24 for i in ids)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-text-secret",
        "bcrypt$12$salt$hash",
        "scrypt$16384$8$1$!!$!!",
        "scrypt$x$8$1$AAAA$AAAA",
        "scrypt$16385$8$1$AAAA$AAAA",  # N not a power of two
    ],
)
def test_a_malformed_stored_hash_never_verifies(stored: str) -> None:
    assert not verify_secret("anything", stored)


def test_an_absurdly_long_secret_is_refused_without_hashing_it() -> None:
    stored = hash_secret("x" * 300)

    assert not verify_secret("x" * 300, stored)
