"""``liaison keys rotate`` in one process reaches running servers: new tokens are signed with
the new key, tokens under the old key keep working until they expire."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import TEST_AUDIENCE, TEST_ISSUER
from identity.conftest import RegisterClient, client_for
from identity.identity_support import decode_segment, me, run_cli
from liaison.api.keyring import KeyRing
from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from world import World


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def kid_of(token: str) -> str:
    kid: str = decode_segment(token.split(".")[0])["kid"]
    return kid


async def test_a_rotation_reaches_a_running_server_without_a_restart(
    make_app: Any, register_client: RegisterClient, world: World, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    client_id, secret = await register_client("customs", "reader")
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    auth = {"Authorization": f"Basic {credentials}"}
    form = {"grant_type": "client_credentials"}
    async with client_for(make_app(data_dir=data_dir)) as client:
        before = (await client.post("/oauth/token", data=form, headers=auth)).json()
        old_kid = kid_of(before["access_token"])

        rotated = await run_cli("keys", "rotate", "--data-dir", str(data_dir))
        assert rotated.exit_code == 0, rotated.output
        new_kid = rotated.stdout.split()[3].rstrip(";")
        # Minted by another process with the new key: accepted on its first request.
        minted = await run_cli(
            "token",
            "--department",
            "park",
            "--data-dir",
            str(data_dir),
            env={"LIAISON_ISSUER": TEST_ISSUER, "LIAISON_AUDIENCE": TEST_AUDIENCE},
        )
        fresh = await me(client, minted.stdout.strip())
        after = (await client.post("/oauth/token", data=form, headers=auth)).json()
        old_still = await me(client, before["access_token"])
        jwks = (await client.get("/.well-known/jwks.json")).json()

    assert new_kid != old_kid
    assert kid_of(minted.stdout.strip()) == new_kid
    assert fresh.status_code == 200, fresh.text
    assert kid_of(after["access_token"]) == new_kid
    assert old_still.status_code == 200, old_still.text
    assert [key["kid"] for key in jwks["keys"]] == [new_kid, old_kid]


async def test_keys_list_shows_the_signing_key_first(tmp_path: Path) -> None:
    keys = SigningKeys.load_or_create(tmp_path)
    old = keys.signing_kid
    new = keys.rotate()

    listed = await run_cli("keys", "list", "--data-dir", str(tmp_path))

    assert listed.exit_code == 0, listed.output
    assert listed.stdout == f"{new}\tsigning\n{old}\tverification only\n"


def mint(keys: SigningKeys) -> str:
    return mint_access_token(
        keys,
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        subject="s",
        department="customs",
        roles=["reader"],
        client_id="c",
    )


def test_the_key_ring_picks_up_a_rotation_within_its_check_interval(tmp_path: Path) -> None:
    clock = Clock()
    ring = KeyRing(tmp_path, check_interval=5, clock=clock)
    old = ring.current().signing_kid

    new = SigningKeys.load_or_create(tmp_path).rotate()  # another process
    clock.now += 4.9
    before_interval = ring.current().signing_kid
    clock.now += 0.1
    after_interval = ring.current()

    assert before_interval == old
    assert after_interval.signing_kid == new
    assert after_interval.kids == (new, old)
    assert ring.reloads == 1


def test_an_unknown_kid_reloads_at_once_but_at_most_once_per_cool_down(tmp_path: Path) -> None:
    clock = Clock()
    ring = KeyRing(tmp_path, check_interval=3600, unknown_kid_cooldown=1, clock=clock)
    other = SigningKeys.load_or_create(tmp_path)
    other.rotate()

    first = ring.reload_for_unknown_kid()
    other.rotate()
    second = ring.reload_for_unknown_kid()
    clock.now += 1
    third = ring.reload_for_unknown_kid()

    assert (first, second, third) == (True, False, True)
    assert ring.current().kids == other.kids


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.unlink(), id="deleted"),
        pytest.param(lambda path: path.write_text("{}"), id="emptied"),
        pytest.param(lambda path: path.write_text("not json"), id="garbage"),
    ],
)
def test_a_damaged_key_file_never_takes_the_keys_away_from_a_running_server(
    tmp_path: Path, damage: Any
) -> None:
    clock = Clock()
    ring = KeyRing(tmp_path, check_interval=1, clock=clock)
    before = ring.current().kids
    token = mint(ring.current())

    damage(tmp_path / "signing-keys.json")
    clock.now += 2

    assert ring.current().kids == before
    assert ring.reload_for_unknown_kid() is True
    assert ring.current().kids == before
    assert kid_of(token) in ring.current().kids


async def test_a_token_from_an_unknown_local_kid_is_still_refused(
    http: httpx.AsyncClient, tmp_path: Path, world: World
) -> None:
    stranger = SigningKeys.load_or_create(tmp_path)

    response = await me(http, mint(stranger))

    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "token key id is not recognised"
