"""A token's signature is verified once per process and key set; revocation is still read
on every request (tests/identity/test_revocation.py: a token used once, then revoked, is
refused on the next request)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import TEST_AUDIENCE, TEST_ISSUER
from liaison.api import authentication
from liaison.api.authentication import Authenticator, NotAuthenticated
from liaison.api.keyring import KeyRing
from liaison.api.keys import KEY_FILE_NAME, SigningKeys
from liaison.api.tokens import mint_access_token
from liaison.api.verified_tokens import VerifiedTokens
from liaison.permissions.principal import Principal, Role


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def principal(expires_at: int = 2000, jti: str = "jti-1") -> Principal:
    return Principal("officer", "customs", frozenset({Role.READER}), "portal", jti, expires_at)


def mint(keys: SigningKeys, jti: str = "jti-1") -> str:
    return mint_access_token(
        keys,
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        subject="officer-9",
        department="customs",
        roles=["reader"],
        client_id="portal",
        token_id=jti,
    )


def test_a_remembered_token_is_answered_until_it_expires(tmp_path: Path) -> None:
    clock, keys = Clock(), SigningKeys.load_or_create(tmp_path)
    cache = VerifiedTokens(clock=clock)
    cache.put("token", keys, principal(expires_at=2000))

    clock.now = 1999.9
    before = cache.get("token", keys)
    clock.now = 2000
    at_expiry = cache.get("token", keys)

    assert before == principal(expires_at=2000)
    assert at_expiry is None
    assert len(cache) == 0


def test_a_token_remembered_under_another_key_set_is_verified_again(tmp_path: Path) -> None:
    keys = SigningKeys.load_or_create(tmp_path)
    reloaded = SigningKeys.load_or_create(tmp_path)
    cache = VerifiedTokens(clock=Clock())
    cache.put("token", keys, principal())

    assert cache.get("token", reloaded) is None
    assert cache.get("token", keys) is None  # the stale entry is gone


def test_the_least_recently_used_token_is_forgotten_first(tmp_path: Path) -> None:
    keys = SigningKeys.load_or_create(tmp_path)
    cache = VerifiedTokens(capacity=2, clock=Clock())
    cache.put("a", keys, principal(jti="a"))
    cache.put("b", keys, principal(jti="b"))
    cache.get("a", keys)

    cache.put("c", keys, principal(jti="c"))

    assert [cache.get(t, keys) is not None for t in ("a", "b", "c")] == [True, False, True]


def _authenticator(data_dir: Path) -> Authenticator:
    ring = KeyRing(data_dir, check_interval=0)
    return Authenticator(ring, issuer=TEST_ISSUER, audience=TEST_AUDIENCE)


async def test_the_same_token_is_verified_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authenticator = _authenticator(tmp_path)
    token = mint(SigningKeys.load_or_create(tmp_path))
    calls: list[str] = []
    verify = authentication.verify_access_token

    def counting(*args: Any, **kwargs: Any) -> Principal:
        calls.append(args[0])
        return verify(*args, **kwargs)

    monkeypatch.setattr(authentication, "verify_access_token", counting)

    first = await authenticator.verified(f"Bearer {token}")
    second = await authenticator.verified(f"Bearer {token}")
    other = await authenticator.verified(
        f"Bearer {mint(SigningKeys.load_or_create(tmp_path), 'x')}"
    )

    assert first == second
    assert other.token_id == "x"
    assert len(calls) == 2


async def test_a_remembered_token_whose_key_left_the_key_file_is_refused(tmp_path: Path) -> None:
    data_dir, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    authenticator = _authenticator(data_dir)
    token = mint(SigningKeys.load_or_create(data_dir))
    assert (await authenticator.verified(f"Bearer {token}")).token_id == "jti-1"

    SigningKeys.load_or_create(elsewhere)  # the operator replaces the keys outright
    shutil.copy(elsewhere / KEY_FILE_NAME, data_dir / KEY_FILE_NAME)

    with pytest.raises(NotAuthenticated) as refused:
        await authenticator.verified(f"Bearer {token}")
    assert refused.value.reason == "token key id is not recognised"
