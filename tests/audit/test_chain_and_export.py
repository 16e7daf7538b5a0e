"""The chain's canonical form, and the JSON Lines export an archive can re-verify alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import httpx
from audit_support import CHEMICALS_TO_EMERGENCY, ask, new_request_id, run_cli
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.db.audit import (
    GENESIS_HASH,
    AuditEntry,
    DisclosedKeys,
    DisclosedRecord,
    Disclosure,
    canonical_body,
    canonical_json,
    event_hash,
)
from world import USCC_CHEMICAL, World, grant, token

Sessions = async_sessionmaker[AsyncSession]

ENTRY = AuditEntry(
    request_id="r-1",
    principal_subject='王建国 "quoted" \t tab',
    principal_department="emergency",
    principal_client="tests",
    operation_type="query",
    operation_name=None,
    document_sha256="0" * 64,
    variables_sha256="1" * 64,
    purpose="emergency_response",
    case_reference="应急-2026/0042",
    outcome="ok",
    disclosures=(
        Disclosure("customs", "dangerous_chemical_entry", "cas_number", "full", 1, "granted"),
    ),
    disclosed=(DisclosedKeys.of("customs", "dangerous_chemical_entry", [12, 7, 7]),),
)
AT = dt.datetime(2026, 3, 14, 8, 30, 0, 123456, tzinfo=dt.UTC)


def test_the_canonical_form_is_sorted_compact_unescaped_utf8_json() -> None:
    body = canonical_body(1, AT, GENESIS_HASH, ENTRY)

    assert canonical_json(body) == json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert body["occurred_at"] == "2026-03-14T08:30:00.123456Z"
    assert (
        event_hash(1, AT, GENESIS_HASH, ENTRY) == hashlib.sha256(canonical_json(body)).hexdigest()
    )


def test_the_hash_covers_the_position_the_time_the_link_and_every_disclosure() -> None:
    original = event_hash(1, AT, GENESIS_HASH, ENTRY)
    masked = replace(ENTRY.disclosures[0], level="masked")
    other_record = replace(ENTRY.disclosed[0], record_ids="7,13")
    one_fewer = replace(ENTRY.disclosed[0], record_ids="7")

    assert event_hash(2, AT, GENESIS_HASH, ENTRY) != original
    assert event_hash(1, AT + dt.timedelta(microseconds=1), GENESIS_HASH, ENTRY) != original
    assert event_hash(1, AT, "f" * 64, ENTRY) != original
    assert event_hash(1, AT, GENESIS_HASH, replace(ENTRY, disclosures=(masked,))) != original
    assert event_hash(1, AT, GENESIS_HASH, replace(ENTRY, disclosed=(other_record,))) != original
    assert event_hash(1, AT, GENESIS_HASH, replace(ENTRY, disclosed=(one_fewer,))) != original
    assert event_hash(1, AT, GENESIS_HASH, replace(ENTRY)) == original
    # The index's rows are not part of a compact event: derived, checked by verify_index.
    indexed = (DisclosedRecord("customs", "dangerous_chemical_entry", 7, 3, USCC_CHEMICAL),)
    assert event_hash(1, AT, GENESIS_HASH, replace(ENTRY, records=indexed)) == original


def test_disclosed_keys_are_stored_ascending_unique_and_comma_separated() -> None:
    keys = DisclosedKeys.of("customs", "risk", ["40", 7, 12, 7])

    assert keys.record_ids == "7,12,40"
    assert keys.ids() == [7, 12, 40]
    assert canonical_body(1, AT, GENESIS_HASH, replace(ENTRY, disclosed=(keys,)))["disclosed"] == [
        {"provider": "customs", "record_type": "risk", "record_ids": "7,12,40"}
    ]


def test_a_legacy_event_hashes_its_records_as_it_was_written_before_0004() -> None:
    record = DisclosedRecord("customs", "dangerous_chemical_entry", 7, 3, USCC_CHEMICAL)
    legacy = replace(ENTRY, disclosed=(), records=(record,))
    body = canonical_body(1, AT, GENESIS_HASH, legacy, legacy=True)

    assert "disclosed" not in body
    assert body["records"] == [
        {
            "provider": "customs",
            "record_type": "dangerous_chemical_entry",
            "record_id": 7,
            "enterprise_id": 3,
            "enterprise_uscc": USCC_CHEMICAL,
        }
    ]
    assert event_hash(1, AT, GENESIS_HASH, legacy, legacy=True) != event_hash(
        1, AT, GENESIS_HASH, legacy
    )


async def test_export_writes_json_lines_that_re_verify_without_the_database(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    database_url: str,
    tmp_path: Path,
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    request_id = new_request_id("export")
    await ask(
        http,
        "query($uscc: String!) { enterprise(uscc: $uscc) { "
        "dangerousChemicalEntries { casNumber } } }",
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="joint_inspection",
        request_id=request_id,
    )
    archive = tmp_path / "audit.jsonl"

    result = await run_cli(
        "audit",
        "export",
        "--database-url",
        database_url,
        "--since",
        since,
        "--output",
        str(archive),
    )

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in archive.read_text("utf-8").splitlines()]
    assert [line["request_id"] for line in lines if line["request_id"] == request_id] == [
        request_id
    ]
    for line in lines:
        stated = line.pop("hash")
        assert hashlib.sha256(canonical_json(line)).hexdigest() == stated
        line["hash"] = stated
    for previous, following in pairwise(lines):
        assert following["prev_hash"] == previous["hash"]
        assert following["seq"] == previous["seq"] + 1
