"""Attachment content is kept once per SHA-256, in the database by default or, with
LIAISON_ATTACHMENT_DIR, in a directory (``<sha256[:2]>/<sha256>``, written atomically), and
read back only through the governed ``contentBase64`` field, checked against its hash."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from referral_support import EVIDENCE, Sessions, attachment, counts, post, send, sha256_hex
from sqlalchemy import text

from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, USCC_PAINTS, World, close_app

CONTENT = "query($id: ID!) { referralAttachment(id: $id) { id sha256 contentBase64 } }"


@pytest.fixture
def attachment_dir(tmp_path: Path) -> Path:
    return tmp_path / "attachments"


@pytest.fixture
async def in_directory(
    settings: Settings, keys: SigningKeys, attachment_dir: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The API of a server configured with LIAISON_ATTACHMENT_DIR."""
    app = create_app(dataclasses.replace(settings, attachment_dir=attachment_dir))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as client:
        yield client
    await close_app(app)


def files_in(directory: Path) -> list[str]:
    """Every path under ``directory`` (none if it does not exist), relative, sorted."""
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))


async def content_of(
    http: httpx.AsyncClient, keys: SigningKeys, attachment_id: str, department: str = "emergency"
) -> dict[str, object]:
    return await post(
        http,
        keys,
        CONTENT,
        department=department,
        roles=("reader",),
        variables={"id": attachment_id},
    )


async def test_by_default_content_is_kept_once_in_the_database(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await counts(sessions)

    first = await send(http, keys, USCC_CHEMICAL)
    second = await send(http, keys, USCC_PAINTS)

    after = await counts(sessions)
    assert after["referral_attachment"] - before["referral_attachment"] == 2
    assert after["attachment_blob"] - before["attachment_blob"] == 1  # the same file twice
    for referral in (first, second):
        [evidence] = referral["attachments"]
        body = await content_of(http, keys, evidence["id"])
        assert body == {
            "data": {
                "referralAttachment": {
                    "id": evidence["id"],
                    "sha256": sha256_hex(EVIDENCE),
                    "contentBase64": base64.b64encode(EVIDENCE).decode(),
                }
            }
        }


async def test_with_a_directory_content_is_one_file_named_by_its_hash_and_not_in_the_database(
    in_directory: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    attachment_dir: Path,
) -> None:
    before = await counts(sessions)
    digest = sha256_hex(EVIDENCE)

    first = await send(in_directory, keys, USCC_CHEMICAL)
    await send(in_directory, keys, USCC_PAINTS)

    after = await counts(sessions)
    assert after["referral_attachment"] - before["referral_attachment"] == 2
    assert after["attachment_blob"] == before["attachment_blob"]
    # One file, in its place, and no temporary file left beside it.
    assert files_in(attachment_dir) == [digest[:2], f"{digest[:2]}/{digest}"]
    assert (attachment_dir / digest[:2] / digest).read_bytes() == EVIDENCE
    body = await content_of(in_directory, keys, first["attachments"][0]["id"])
    assert body["data"] == {
        "referralAttachment": {
            "id": first["attachments"][0]["id"],
            "sha256": digest,
            "contentBase64": base64.b64encode(EVIDENCE).decode(),
        }
    }


async def test_a_file_changed_in_the_directory_is_refused_as_it_is_read(
    in_directory: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    attachment_dir: Path,
) -> None:
    referral = await send(in_directory, keys, USCC_CHEMICAL)
    digest = sha256_hex(EVIDENCE)
    (attachment_dir / digest[:2] / digest).write_bytes(b"something else entirely")
    attachment_id = referral["attachments"][0]["id"]

    body = await content_of(in_directory, keys, attachment_id)

    assert body["data"] == {
        "referralAttachment": {"id": attachment_id, "sha256": digest, "contentBase64": None}
    }
    [error] = body["errors"]
    assert error["extensions"]["code"] == "ATTACHMENT_UNREADABLE"
    assert error["message"] == (
        f"Attachment {attachment_id}: the attachment's content no longer matches its SHA-256."
    )


async def test_a_file_gone_from_the_directory_is_refused_as_missing(
    in_directory: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    attachment_dir: Path,
) -> None:
    referral = await send(in_directory, keys, USCC_CHEMICAL)
    digest = sha256_hex(EVIDENCE)
    (attachment_dir / digest[:2] / digest).unlink()
    attachment_id = referral["attachments"][0]["id"]

    body = await content_of(in_directory, keys, attachment_id)

    [error] = body["errors"]
    assert error["message"] == f"Attachment {attachment_id}: the attachment's content is missing."


async def test_a_blob_changed_in_the_database_is_refused_as_it_is_read(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral = await send(http, keys, USCC_CHEMICAL)
    async with sessions() as session, session.begin():
        await session.execute(
            text("UPDATE attachment_blob SET content = :tampered WHERE sha256 = :digest"),
            {"tampered": b"tampered", "digest": sha256_hex(EVIDENCE)},
        )
    attachment_id = referral["attachments"][0]["id"]

    body = await content_of(http, keys, attachment_id, department="market")

    [error] = body["errors"]
    assert error["extensions"]["code"] == "ATTACHMENT_UNREADABLE"
    assert "no longer matches its SHA-256" in error["message"]


async def test_content_kept_in_a_directory_needs_that_directory_configured_to_be_read(
    in_directory: httpx.AsyncClient,
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
) -> None:
    referral = await send(in_directory, keys, USCC_CHEMICAL)
    attachment_id = referral["attachments"][0]["id"]

    body = await content_of(http, keys, attachment_id)  # a server without the directory

    [error] = body["errors"]
    assert error["message"] == (
        f"Attachment {attachment_id}: the attachment is kept in a directory, and none is "
        "configured (LIAISON_ATTACHMENT_DIR)."
    )


async def test_a_refused_upload_writes_no_file(
    in_directory: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    attachment_dir: Path,
) -> None:
    body = await post(
        in_directory,
        keys,
        "mutation($input: SendReferralInput!) { sendReferral(input: $input) { "
        "referral { id } errors { field rule } } }",
        department="market",
        variables={
            "input": {
                "uscc": USCC_CHEMICAL,
                "receiver": "market",  # to oneself: refused after the files are checked
                "category": "unlicensed storage",
                "description": "Forty drums",
                "legalBasis": "art. 6",
                "feedbackWithinDays": 30,
                "attachments": [attachment()],
            }
        },
    )

    assert body["data"]["sendReferral"] == {
        "referral": None,
        "errors": [{"field": "receiver", "rule": "not_oneself"}],
    }
    assert files_in(attachment_dir) == []
