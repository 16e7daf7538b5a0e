"""Each department writes its own records: valid input is stored and read back through the
gate, invalid input is refused with typed errors naming the field, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.codes import USCC_ALPHABET, uscc_check_character
from liaison.db import models
from world import USCC_CHEMICAL, USCC_PAINTS, World, grant, graphql, token

Sessions = async_sessionmaker[AsyncSession]


def new_uscc(serial: int) -> str:
    first17 = f"91310115MA1L{serial:05d}"
    return first17 + uscc_check_character(first17)


def with_wrong_check_character(code: str) -> str:
    wrong = next(c for c in USCC_ALPHABET if c != code[-1])
    return code[:-1] + wrong


async def count(sessions: Sessions, model: type[models.Base]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


def input_errors(body: dict[str, Any], mutation: str) -> list[dict[str, str]]:
    assert "errors" not in body, body
    errors: list[dict[str, str]] = body["data"][mutation]["errors"]
    return errors


def only_code(body: dict[str, Any]) -> str:
    assert len(body["errors"]) == 1, body["errors"]
    code: str = body["errors"][0]["extensions"]["code"]
    return code


# ---------------------------------------------------------------------------------------
# registerEnterprise

REGISTER = """
mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) {
    enterprise {
      id uscc name owner zone status statusSince registeredOn
      lifecycle { kind effectiveOn documentNumber owner }
    }
    errors { field rule message }
  }
}"""


def enterprise_input(uscc: str, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": "金山石化新材料有限公司",
        "zone": "Jinshan Chemical Park",
        "address": "上海市金山区卫零路1号",
        "legalRepresentative": "李明",
        "contactPhone": "13900001111",
        "industry": "basic chemicals",
        "registeredOn": "2024-04-01",
        "documentNumber": "JS-REG-2024-001",
        **overrides,
    }


async def test_a_market_contributor_registers_an_enterprise_with_its_uscc_normalised(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    uscc = new_uscc(1)
    events_before = await count(sessions, models.LifecycleEvent)

    status, body = await graphql(
        http,
        REGISTER,
        bearer=token(keys, "market", "contributor"),
        variables={"input": enterprise_input(f"  {uscc.lower()} ")},
    )

    assert status == 200
    assert input_errors(body, "registerEnterprise") == []
    enterprise = body["data"]["registerEnterprise"]["enterprise"]
    assert enterprise["uscc"] == uscc
    assert enterprise["owner"] == "market"
    assert enterprise["status"] == "REGISTERED"
    assert enterprise["statusSince"] == "2024-04-01"
    assert enterprise["registeredOn"] == "2024-04-01"
    assert enterprise["lifecycle"] == [
        {
            "kind": "REGISTERED",
            "effectiveOn": "2024-04-01",
            "documentNumber": "JS-REG-2024-001",
            "owner": "market",
        }
    ]
    assert await count(sessions, models.LifecycleEvent) == events_before + 1
    async with sessions() as session:
        stored = await session.scalar(
            select(models.Enterprise.uscc).where(models.Enterprise.id == int(enterprise["id"]))
        )
    assert stored == uscc


async def test_registering_an_already_registered_uscc_is_refused_on_uscc(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.Enterprise)

    _, body = await graphql(
        http,
        REGISTER,
        bearer=token(keys, "market", "contributor"),
        variables={"input": enterprise_input(USCC_CHEMICAL.lower())},
    )

    assert body["data"]["registerEnterprise"]["enterprise"] is None
    errors = input_errors(body, "registerEnterprise")
    assert len(errors) == 1
    assert errors[0]["field"] == "uscc"
    assert errors[0]["rule"] == "unique"
    assert USCC_CHEMICAL in errors[0]["message"]
    assert await count(sessions, models.Enterprise) == before


@pytest.mark.parametrize(
    ("uscc", "rule_words"),
    [
        pytest.param(with_wrong_check_character(new_uscc(2)), "check character", id="check"),
        pytest.param(new_uscc(2)[:-1], "exactly 18 characters, 17 given", id="too-short"),
        pytest.param(new_uscc(2) + "0", "exactly 18 characters, 19 given", id="too-long"),
        pytest.param(new_uscc(2)[:10] + "I" + new_uscc(2)[11:], "'I' at position 11", id="I"),
        pytest.param(new_uscc(2)[:5] + "-" + new_uscc(2)[6:], "'-' at position 6", id="dash"),
    ],
)
async def test_an_invalid_uscc_is_refused_with_its_rule_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    uscc: str,
    rule_words: str,
) -> None:
    enterprises, events = (
        await count(sessions, models.Enterprise),
        await count(sessions, models.LifecycleEvent),
    )

    _, body = await graphql(
        http,
        REGISTER,
        bearer=token(keys, "market", "contributor"),
        variables={"input": enterprise_input(uscc)},
    )

    assert body["data"]["registerEnterprise"]["enterprise"] is None
    errors = input_errors(body, "registerEnterprise")
    assert len(errors) == 1
    assert errors[0]["field"] == "uscc"
    assert rule_words in errors[0]["message"]
    assert await count(sessions, models.Enterprise) == enterprises
    assert await count(sessions, models.LifecycleEvent) == events


async def test_every_blank_text_field_of_a_registration_is_named_at_once(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.Enterprise)

    _, body = await graphql(
        http,
        REGISTER,
        bearer=token(keys, "market", "contributor"),
        variables={"input": enterprise_input(new_uscc(3), name="  ", contactPhone="")},
    )

    errors = input_errors(body, "registerEnterprise")
    assert len(errors) == 2
    assert {(e["field"], e["rule"]) for e in errors} == {
        ("name", "required"),
        ("contactPhone", "required"),
    }
    assert await count(sessions, models.Enterprise) == before


@pytest.mark.parametrize(
    ("department", "roles"),
    [
        pytest.param("market", ("reader",), id="market-reader"),
        pytest.param("market", ("auditor", "steward"), id="market-auditor-steward"),
        pytest.param("customs", ("contributor",), id="customs-contributor"),
        pytest.param("emergency", ("contributor",), id="emergency-contributor"),
    ],
)
async def test_only_a_registry_contributor_may_register_an_enterprise(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    department: str,
    roles: tuple[str, ...],
) -> None:
    enterprises, events = (
        await count(sessions, models.Enterprise),
        await count(sessions, models.LifecycleEvent),
    )

    status, body = await graphql(
        http,
        REGISTER,
        bearer=token(keys, department, *roles),
        variables={"input": enterprise_input(new_uscc(4))},
    )

    assert status == 200
    assert body["data"] is None
    assert only_code(body) == "FORBIDDEN"
    assert body["errors"][0]["path"] == ["registerEnterprise"]
    assert await count(sessions, models.Enterprise) == enterprises
    assert await count(sessions, models.LifecycleEvent) == events


# ---------------------------------------------------------------------------------------
# recordLifecycleEvent

RECORD_EVENT = """
mutation($input: RecordLifecycleEventInput!) {
  recordLifecycleEvent(input: $input) {
    event { kind effectiveOn pilotProductionEndsOn documentNumber owner enterprise { uscc } }
    errors { field rule message }
  }
}"""

STATUS = """
query($uscc: String!) {
  enterprise(uscc: $uscc) { status statusSince lifecycle { kind effectiveOn } }
}"""


async def record_event(
    http: httpx.AsyncClient, keys: SigningKeys, department: str = "market", **fields: Any
) -> dict[str, Any]:
    _, body = await graphql(
        http,
        RECORD_EVENT,
        bearer=token(keys, department, "contributor"),
        variables={"input": {"documentNumber": "DOC-1", **fields}},
    )
    return body


async def status_of(http: httpx.AsyncClient, keys: SigningKeys, uscc: str) -> dict[str, Any]:
    _, body = await graphql(http, STATUS, bearer=token(keys, "market"), variables={"uscc": uscc})
    assert "errors" not in body, body
    enterprise: dict[str, Any] = body["data"]["enterprise"]
    return enterprise


async def test_the_derived_status_follows_the_ledger_through_a_whole_lifecycle(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    uscc = new_uscc(10)
    _, body = await graphql(
        http,
        REGISTER,
        bearer=token(keys, "market", "contributor"),
        variables={"input": enterprise_input(uscc, registeredOn="2024-01-10")},
    )
    assert input_errors(body, "registerEnterprise") == []
    steps = [
        ("market", {"kind": "UNDER_CONSTRUCTION", "effectiveOn": "2024-03-01"}),
        (
            "park",
            {
                "kind": "PILOT_PRODUCTION",
                "effectiveOn": "2025-01-15",
                "pilotProductionEndsOn": "2025-07-15",
            },
        ),
        ("market", {"kind": "IN_OPERATION", "effectiveOn": "2025-07-16"}),
        ("market", {"kind": "SUSPENDED", "effectiveOn": "2026-02-01"}),
        ("market", {"kind": "IN_OPERATION", "effectiveOn": "2026-02-01"}),
    ]

    for department, step in steps:
        body = await record_event(http, keys, department, uscc=uscc, **step)

        assert input_errors(body, "recordLifecycleEvent") == []
        event = body["data"]["recordLifecycleEvent"]["event"]
        assert event["kind"] == step["kind"]
        assert event["owner"] == department
        assert event["enterprise"] == {"uscc": uscc}
        assert event["pilotProductionEndsOn"] == step.get("pilotProductionEndsOn")
        enterprise = await status_of(http, keys, uscc)
        assert (enterprise["status"], enterprise["statusSince"]) == (
            step["kind"],
            step["effectiveOn"],
        )

    # Each department sees its own ledger events; park shares none with market here.
    enterprise = await status_of(http, keys, uscc)
    assert [e["kind"] for e in enterprise["lifecycle"]] == [
        "REGISTERED",
        "UNDER_CONSTRUCTION",
        "IN_OPERATION",
        "SUSPENDED",
        "IN_OPERATION",
    ]
    _, body = await graphql(http, STATUS, bearer=token(keys, "park"), variables={"uscc": uscc})
    assert [e["kind"] for e in body["data"]["enterprise"]["lifecycle"]] == ["PILOT_PRODUCTION"]


async def test_an_enterprise_in_operation_cannot_go_back_to_pilot_production(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.LifecycleEvent)

    body = await record_event(
        http,
        keys,
        uscc=USCC_CHEMICAL,
        kind="PILOT_PRODUCTION",
        effectiveOn="2026-01-01",
        pilotProductionEndsOn="2026-06-30",
    )

    assert body["data"]["recordLifecycleEvent"]["event"] is None
    errors = input_errors(body, "recordLifecycleEvent")
    assert len(errors) == 1
    assert (errors[0]["field"], errors[0]["rule"]) == ("kind", "transition")
    assert "in_operation" in errors[0]["message"]
    assert "pilot_production" in errors[0]["message"]
    assert await count(sessions, models.LifecycleEvent) == before
    enterprise = await status_of(http, keys, USCC_CHEMICAL)
    assert (enterprise["status"], enterprise["statusSince"]) == ("IN_OPERATION", "2017-06-01")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"kind": "PILOT_PRODUCTION", "effectiveOn": "2025-01-01"},
            [("pilotProductionEndsOn", "required")],
            id="pilot-without-end",
        ),
        pytest.param(
            {
                "kind": "PILOT_PRODUCTION",
                "effectiveOn": "2025-01-01",
                "pilotProductionEndsOn": "2025-01-01",
            },
            [("pilotProductionEndsOn", "order")],
            id="pilot-ends-when-it-starts",
        ),
        pytest.param(
            {
                "kind": "SUSPENDED",
                "effectiveOn": "2025-01-01",
                "pilotProductionEndsOn": "2025-06-01",
            },
            [("pilotProductionEndsOn", "only_pilot")],
            id="end-date-on-another-kind",
        ),
        pytest.param(
            {"kind": "SUSPENDED", "effectiveOn": "2024-02-29"},
            [("effectiveOn", "order")],
            id="before-the-current-status",
        ),
        pytest.param(
            {"kind": "SUSPENDED", "effectiveOn": "2025-01-01", "documentNumber": "   "},
            [("documentNumber", "required")],
            id="blank-document",
        ),
    ],
)
async def test_an_inconsistent_lifecycle_event_is_refused_on_the_field_at_fault(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    fields: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    uscc = new_uscc(11)
    _, body = await graphql(
        http,
        REGISTER,
        bearer=token(keys, "market", "contributor"),
        variables={"input": enterprise_input(uscc, registeredOn="2024-03-01")},
    )
    assert input_errors(body, "registerEnterprise") == []
    body = await record_event(
        http, keys, uscc=uscc, kind="UNDER_CONSTRUCTION", effectiveOn="2024-03-01"
    )
    assert input_errors(body, "recordLifecycleEvent") == []
    before = await count(sessions, models.LifecycleEvent)

    body = await record_event(http, keys, uscc=uscc, **fields)

    errors = input_errors(body, "recordLifecycleEvent")
    assert len(errors) == len(expected)
    assert [(e["field"], e["rule"]) for e in errors] == expected
    assert await count(sessions, models.LifecycleEvent) == before
    enterprise = await status_of(http, keys, uscc)
    assert (enterprise["status"], enterprise["statusSince"]) == ("UNDER_CONSTRUCTION", "2024-03-01")


async def test_a_lifecycle_event_for_an_unregistered_enterprise_is_refused_on_uscc(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.LifecycleEvent)

    body = await record_event(
        http, keys, uscc=new_uscc(12), kind="SUSPENDED", effectiveOn="2026-01-01"
    )

    errors = input_errors(body, "recordLifecycleEvent")
    assert len(errors) == 1
    assert (errors[0]["field"], errors[0]["rule"]) == ("uscc", "exists")
    assert await count(sessions, models.LifecycleEvent) == before


async def test_customs_cannot_write_to_the_lifecycle_ledger(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.LifecycleEvent)

    body = await record_event(
        http, keys, "customs", uscc=USCC_CHEMICAL, kind="SUSPENDED", effectiveOn="2026-01-01"
    )

    assert body["data"] is None
    assert only_code(body) == "FORBIDDEN"
    assert await count(sessions, models.LifecycleEvent) == before


# ---------------------------------------------------------------------------------------
# declareDangerousChemicalEntry

DECLARE = """
mutation($input: DeclareDangerousChemicalEntryInput!) {
  declareDangerousChemicalEntry(input: $input) {
    entry {
      id owner enterprise { uscc } declarationNumber chemicalName casNumber unNumber
      hazardClass packingGroup quantity unit port entryDate storageLocation declaredValue
      consignee
    }
    errors { field rule message }
  }
}"""

ENTRY_BY_ID = """
query($id: ID!) {
  dangerousChemicalEntry(id: $id) {
    id owner enterprise { uscc } declarationNumber chemicalName casNumber unNumber
    hazardClass packingGroup quantity unit port entryDate storageLocation declaredValue
    consignee
  }
}"""


def entry_input(**overrides: Any) -> dict[str, Any]:
    return {
        "uscc": USCC_PAINTS,
        "declarationNumber": "220120260009990001",
        "chemicalName": "Toluene",
        "casNumber": "108-88-3",
        "unNumber": "un 1294",
        "hazardClass": "3",
        "packingGroup": "ii",
        "quantity": "4200.5",
        "unit": "kg",
        "port": "Waigaoqiao",
        "entryDate": "2026-04-02",
        "storageLocation": "上海市浦东新区外高桥保税区2号库",
        "declaredValue": "35000",
        "consignee": "浦东涂料有限公司",
        **overrides,
    }


async def test_customs_declares_an_entry_and_reads_it_back(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.DangerousChemicalEntry)

    status, body = await graphql(
        http,
        DECLARE,
        bearer=token(keys, "customs", "contributor"),
        variables={"input": entry_input()},
    )

    assert status == 200
    assert input_errors(body, "declareDangerousChemicalEntry") == []
    entry = body["data"]["declareDangerousChemicalEntry"]["entry"]
    assert entry == {
        "id": entry["id"],
        "owner": "customs",
        "enterprise": {"uscc": USCC_PAINTS},
        "declarationNumber": "220120260009990001",
        "chemicalName": "Toluene",
        "casNumber": "108-88-3",
        "unNumber": "UN1294",
        "hazardClass": "3",
        "packingGroup": "II",
        "quantity": "4200.5",
        "unit": "kg",
        "port": "Waigaoqiao",
        "entryDate": "2026-04-02",
        "storageLocation": "上海市浦东新区外高桥保税区2号库",
        "declaredValue": "35000",
        "consignee": "浦东涂料有限公司",
    }
    assert await count(sessions, models.DangerousChemicalEntry) == before + 1
    _, read = await graphql(
        http, ENTRY_BY_ID, bearer=token(keys, "customs"), variables={"id": entry["id"]}
    )
    assert "errors" not in read
    assert read["data"]["dangerousChemicalEntry"] == entry


async def test_an_entry_without_a_packing_group_is_stored_without_one(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    given = entry_input()
    del given["packingGroup"]

    _, body = await graphql(
        http, DECLARE, bearer=token(keys, "customs", "contributor"), variables={"input": given}
    )

    assert input_errors(body, "declareDangerousChemicalEntry") == []
    assert body["data"]["declareDangerousChemicalEntry"]["entry"]["packingGroup"] is None


def _duplicate_declaration(world: World) -> str:
    # The world's own benzene declaration for the chemical plant.
    return f"2201202600000{world.enterprises[USCC_CHEMICAL]:05d}"


BAD_ENTRIES: list[Any] = [
    pytest.param({"casNumber": "71-43-3"}, [("casNumber", "should be 2, not 3")], id="cas-check"),
    pytest.param({"casNumber": "71432"}, [("casNumber", "2 to 7 digits")], id="cas-format"),
    pytest.param({"casNumber": "071-43-2"}, [("casNumber", "start with 0")], id="cas-zero"),
    pytest.param({"unNumber": "UN9999"}, [("unNumber", "UN0004 to UN3599")], id="un-range"),
    pytest.param({"unNumber": "1294"}, [("unNumber", "'UN' followed by")], id="un-format"),
    pytest.param({"hazardClass": "2"}, [("hazardClass", "2.1, 2.2, 2.3")], id="class-2"),
    pytest.param({"hazardClass": "10"}, [("hazardClass", "UN class")], id="class-10"),
    pytest.param({"packingGroup": "IV"}, [("packingGroup", "I, II or III")], id="packing"),
    pytest.param({"quantity": "0"}, [("quantity", "greater than zero")], id="zero-quantity"),
    pytest.param({"quantity": "-3.5"}, [("quantity", "greater than zero")], id="negative"),
    pytest.param({"declaredValue": "0"}, [("declaredValue", "greater than zero")], id="zero-value"),
    pytest.param(
        {"uscc": new_uscc(20)}, [("uscc", "no enterprise is registered")], id="unknown-uscc"
    ),
    pytest.param(
        {"uscc": with_wrong_check_character(USCC_PAINTS)},
        [("uscc", "check character")],
        id="invalid-uscc",
    ),
    pytest.param(
        {"declarationNumber": _duplicate_declaration},
        [("declarationNumber", "already recorded")],
        id="duplicate-declaration",
    ),
    pytest.param({"chemicalName": " "}, [("chemicalName", "must not be empty")], id="blank"),
    pytest.param(
        {"casNumber": "71-43-3", "unNumber": "UN0001", "quantity": "-1"},
        [
            ("quantity", "greater than zero"),
            ("casNumber", "check digit"),
            ("unNumber", "UN0004 to UN3599"),
        ],
        id="several-at-once",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD_ENTRIES)
async def test_a_bad_entry_is_refused_on_exactly_the_fields_at_fault_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    overrides: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    given = {k: v(world) if callable(v) else v for k, v in overrides.items()}
    before = await count(sessions, models.DangerousChemicalEntry)

    status, body = await graphql(
        http,
        DECLARE,
        bearer=token(keys, "customs", "contributor"),
        variables={"input": entry_input(**given)},
    )

    assert status == 200
    assert body["data"]["declareDangerousChemicalEntry"]["entry"] is None
    errors = input_errors(body, "declareDangerousChemicalEntry")
    assert len(errors) == len(expected)
    assert sorted(e["field"] for e in errors) == sorted(field for field, _ in expected)
    for field, words in expected:
        (message,) = [e["message"] for e in errors if e["field"] == field]
        assert words in message
    assert await count(sessions, models.DangerousChemicalEntry) == before


@pytest.mark.parametrize(
    ("department", "roles"),
    [
        pytest.param("emergency", ("contributor",), id="emergency"),
        pytest.param("market", ("contributor",), id="market"),
        pytest.param("customs", ("reader",), id="customs-reader"),
    ],
)
async def test_only_a_customs_contributor_declares_dangerous_chemical_entries(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    department: str,
    roles: tuple[str, ...],
) -> None:
    before = await count(sessions, models.DangerousChemicalEntry)

    _, body = await graphql(
        http, DECLARE, bearer=token(keys, department, *roles), variables={"input": entry_input()}
    )

    assert body["data"] is None
    assert only_code(body) == "FORBIDDEN"
    assert await count(sessions, models.DangerousChemicalEntry) == before


@pytest.mark.parametrize("quantity", ["abc", "NaN", "Infinity", "1e", ""])
async def test_a_quantity_that_is_not_a_decimal_is_a_graphql_error_not_a_crash(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions, quantity: str
) -> None:
    before = await count(sessions, models.DangerousChemicalEntry)

    status, body = await graphql(
        http,
        DECLARE,
        bearer=token(keys, "customs", "contributor"),
        variables={"input": entry_input(quantity=quantity)},
    )

    assert status in (200, 400)
    assert body.get("data") is None
    assert len(body["errors"]) == 1
    message = body["errors"][0]["message"]
    assert "quantity" in message
    assert "Traceback" not in message
    assert await count(sessions, models.DangerousChemicalEntry) == before


async def test_a_quantity_literal_that_is_not_a_decimal_is_a_graphql_error_not_a_crash(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.DangerousChemicalEntry)
    fields = ", ".join(
        f"{name}: {json.dumps('abc' if name == 'quantity' else value, ensure_ascii=False)}"
        for name, value in entry_input().items()
    )

    mutation = f"mutation {{ declareDangerousChemicalEntry(input: {{{fields}}}) {{ __typename }} }}"

    _, body = await graphql(
        http,
        mutation,
        bearer=token(keys, "customs", "contributor"),
    )

    assert body.get("data") is None
    assert len(body["errors"]) == 1
    assert "abc" in body["errors"][0]["message"], body
    assert await count(sessions, models.DangerousChemicalEntry) == before


# ---------------------------------------------------------------------------------------
# issueCreditRating

ISSUE = """
mutation($input: IssueCreditRatingInput!) {
  issueCreditRating(input: $input) {
    rating { owner enterprise { uscc } scheme ruleSet grade score effectiveOn expiresOn }
    errors { field rule message }
  }
}"""


def rating_input(**overrides: Any) -> dict[str, Any]:
    return {
        "uscc": USCC_PAINTS,
        "ruleSet": "customs-2026",
        "grade": "certified",
        "effectiveOn": "2026-03-01",
        **overrides,
    }


async def test_customs_issues_a_rating_under_its_current_rule_set(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.CreditRating)

    _, body = await graphql(
        http,
        ISSUE,
        bearer=token(keys, "customs", "contributor"),
        variables={"input": rating_input(score="812.5", expiresOn="2028-02-29")},
    )

    assert input_errors(body, "issueCreditRating") == []
    assert body["data"]["issueCreditRating"]["rating"] == {
        "owner": "customs",
        "enterprise": {"uscc": USCC_PAINTS},
        "scheme": "customs_enterprise_credit",
        "ruleSet": "customs-2026",
        "grade": "certified",
        "score": "812.5",
        "effectiveOn": "2026-03-01",
        "expiresOn": "2028-02-29",
    }
    assert await count(sessions, models.CreditRating) == before + 1


@pytest.mark.parametrize(
    ("department", "overrides", "field", "words"),
    [
        pytest.param("customs", {"grade": "A"}, "grade", "certified", id="grade-of-another-set"),
        pytest.param(
            "customs", {"grade": "registered"}, "grade", "customs-2026", id="grade-of-old-set"
        ),
        pytest.param(
            "customs",
            {"effectiveOn": "2025-06-01"},
            "effectiveOn",
            "not in force on 2025-06-01",
            id="before-in-force",
        ),
        pytest.param(
            "customs",
            {"ruleSet": "customs-2021", "grade": "registered", "effectiveOn": "2026-01-01"},
            "effectiveOn",
            "customs-2021 was not in force",
            id="after-superseded",
        ),
        pytest.param("emergency", {}, "ruleSet", "work-safety-2020", id="another-departments-set"),
        pytest.param(
            "customs", {"ruleSet": "customs-2030"}, "ruleSet", "customs-2026", id="no-set"
        ),
        pytest.param(
            "customs", {"expiresOn": "2026-03-01"}, "expiresOn", "after effectiveOn", id="expiry"
        ),
        pytest.param("customs", {"score": "1000.01"}, "score", "0 and 1000", id="score"),
        pytest.param("customs", {"uscc": new_uscc(30)}, "uscc", "no enterprise", id="unknown-uscc"),
    ],
)
async def test_a_rating_outside_its_rule_set_is_refused_on_the_field_at_fault(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    department: str,
    overrides: dict[str, Any],
    field: str,
    words: str,
) -> None:
    before = await count(sessions, models.CreditRating)

    _, body = await graphql(
        http,
        ISSUE,
        bearer=token(keys, department, "contributor"),
        variables={"input": rating_input(**overrides)},
    )

    assert body["data"]["issueCreditRating"]["rating"] is None
    errors = input_errors(body, "issueCreditRating")
    assert len(errors) == 1
    assert errors[0]["field"] == field
    assert words in errors[0]["message"]
    assert await count(sessions, models.CreditRating) == before


async def test_a_department_that_issues_no_ratings_may_not_issue_one(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.CreditRating)

    _, body = await graphql(
        http, ISSUE, bearer=token(keys, "park", "contributor"), variables={"input": rating_input()}
    )

    assert body["data"] is None
    assert only_code(body) == "FORBIDDEN"
    assert await count(sessions, models.CreditRating) == before


# ---------------------------------------------------------------------------------------
# reportRisk and advanceRisk

REPORT = """
mutation($input: ReportRiskInput!) {
  reportRisk(input: $input) {
    risk { id owner enterprise { uscc } category level status foundOn rectificationDeadline
           supervisingDepartment closedOn overdue }
    errors { field rule message }
  }
}"""

ADVANCE = """
mutation($input: AdvanceRiskInput!) {
  advanceRisk(input: $input) {
    risk { id status closedOn }
    errors { field rule message }
  }
}"""

RISK_BY_ID = "query($id: ID!) { risk(id: $id) { status closedOn } }"


def risk_input(**overrides: Any) -> dict[str, Any]:
    return {
        "uscc": USCC_PAINTS,
        "category": "fire protection",
        "description": "Blocked fire exit in the solvent workshop",
        "level": "GENERAL",
        "foundOn": "2026-05-20",
        "rectificationDeadline": "2099-06-20",
        "supervisingDepartment": "park",
        **overrides,
    }


async def report(http: httpx.AsyncClient, keys: SigningKeys) -> str:
    _, body = await graphql(
        http,
        REPORT,
        bearer=token(keys, "emergency", "contributor"),
        variables={"input": risk_input()},
    )
    assert input_errors(body, "reportRisk") == []
    risk_id: str = body["data"]["reportRisk"]["risk"]["id"]
    return risk_id


async def advance(
    http: httpx.AsyncClient, keys: SigningKeys, risk_id: str, status: str, **extra: Any
) -> dict[str, Any]:
    department = extra.pop("department", "emergency")
    _, body = await graphql(
        http,
        ADVANCE,
        bearer=token(keys, department, "contributor"),
        variables={"input": {"id": risk_id, "status": status, **extra}},
    )
    return body


ZONES_TO_EMERGENCY = {
    "provider": "market",
    "consumers": ["emergency"],
    "record_type": "enterprise",
    "purposes": ["joint_inspection"],
    "fields": {"zone": "full"},
}


@pytest.mark.parametrize(
    ("selected", "codes"),
    [
        ("id owner category status", []),
        ("id status enterprise { uscc name }", []),  # public keys need no purpose
        ("id status enterprise { zone }", ["PURPOSE_REQUIRED", "FORBIDDEN"]),
    ],
    ids=["own-fields", "public-keys", "another-departments-field"],
)
async def test_a_mutation_without_a_purpose_needs_one_only_where_it_reads_anothers_data(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    selected: str,
    codes: list[str],
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, ZONES_TO_EMERGENCY)  # emergency could state a purpose

    _, body = await graphql(
        http,
        "mutation($input: ReportRiskInput!) { reportRisk(input: $input) { risk { "
        + selected
        + " } errors { field } } }",
        bearer=token(keys, "emergency", "contributor"),
        variables={"input": risk_input()},
    )

    assert body["data"]["reportRisk"]["errors"] == []
    assert body["data"]["reportRisk"]["risk"]["status"] == "REPORTED"
    assert sorted(e["extensions"]["code"] for e in body.get("errors", [])) == sorted(codes)


async def test_emergency_reports_a_risk(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await count(sessions, models.Risk)

    _, body = await graphql(
        http,
        REPORT,
        bearer=token(keys, "emergency", "contributor"),
        variables={"input": risk_input(level="MAJOR")},
    )

    assert input_errors(body, "reportRisk") == []
    risk = body["data"]["reportRisk"]["risk"]
    assert risk == {
        "id": risk["id"],
        "owner": "emergency",
        "enterprise": {"uscc": USCC_PAINTS},
        "category": "fire protection",
        "level": "MAJOR",
        "status": "REPORTED",
        "foundOn": "2026-05-20",
        "rectificationDeadline": "2099-06-20",
        "supervisingDepartment": "park",
        "closedOn": None,
        "overdue": False,
    }
    assert await count(sessions, models.Risk) == before + 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"rectificationDeadline": "2026-05-19"}, "rectificationDeadline", id="order"),
        pytest.param({"supervisingDepartment": "police"}, "supervisingDepartment", id="dept"),
        pytest.param({"description": ""}, "description", id="blank"),
        pytest.param({"uscc": new_uscc(40)}, "uscc", id="unknown-uscc"),
    ],
)
async def test_a_bad_risk_report_is_refused_on_the_field_at_fault(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    overrides: dict[str, Any],
    field: str,
) -> None:
    before = await count(sessions, models.Risk)

    _, body = await graphql(
        http,
        REPORT,
        bearer=token(keys, "emergency", "contributor"),
        variables={"input": risk_input(**overrides)},
    )

    errors = input_errors(body, "reportRisk")
    assert len(errors) == 1
    assert errors[0]["field"] == field
    assert await count(sessions, models.Risk) == before


async def test_a_risk_moves_through_rectification_to_closed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    risk_id = await report(http, keys)

    for status in ("RECTIFYING", "PENDING_ACCEPTANCE", "RECTIFYING", "PENDING_ACCEPTANCE"):
        body = await advance(http, keys, risk_id, status)
        assert input_errors(body, "advanceRisk") == []
        assert body["data"]["advanceRisk"]["risk"] == {
            "id": risk_id,
            "status": status,
            "closedOn": None,
        }
    body = await advance(http, keys, risk_id, "CLOSED", on="2026-06-18")

    assert input_errors(body, "advanceRisk") == []
    assert body["data"]["advanceRisk"]["risk"] == {
        "id": risk_id,
        "status": "CLOSED",
        "closedOn": "2026-06-18",
    }
    _, read = await graphql(
        http, RISK_BY_ID, bearer=token(keys, "emergency"), variables={"id": risk_id}
    )
    assert read["data"]["risk"] == {"status": "CLOSED", "closedOn": "2026-06-18"}


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        pytest.param([], "CLOSED", id="reported-to-closed"),
        pytest.param([], "PENDING_ACCEPTANCE", id="reported-to-pending"),
        pytest.param([], "REPORTED", id="reported-to-reported"),
        pytest.param(["RECTIFYING"], "CLOSED", id="rectifying-to-closed"),
        pytest.param(["RECTIFYING", "PENDING_ACCEPTANCE", "CLOSED"], "RECTIFYING", id="reopen"),
    ],
)
async def test_a_risk_cannot_skip_or_leave_its_rectification_steps(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, path: list[str], illegal: str
) -> None:
    risk_id = await report(http, keys)
    for status in path:
        assert input_errors(await advance(http, keys, risk_id, status), "advanceRisk") == []

    body = await advance(http, keys, risk_id, illegal)

    assert body["data"]["advanceRisk"]["risk"] is None
    errors = input_errors(body, "advanceRisk")
    assert len(errors) == 1
    assert (errors[0]["field"], errors[0]["rule"]) == ("status", "transition")
    _, read = await graphql(
        http, RISK_BY_ID, bearer=token(keys, "emergency"), variables={"id": risk_id}
    )
    assert read["data"]["risk"]["status"] == (path[-1] if path else "REPORTED")


@pytest.mark.parametrize(
    "unknown_id",
    [
        pytest.param("987654", id="missing"),
        pytest.param("abc", id="not-a-number"),
        pytest.param("-1", id="negative"),
        pytest.param("2147483648", id="beyond-a-32-bit-id"),
        pytest.param("99999999999999999999999", id="beyond-any-integer-column"),
        pytest.param("²", id="superscript-digit"),
    ],
)
async def test_another_departments_risk_is_answered_exactly_like_a_missing_one(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, unknown_id: str
) -> None:
    risk_id = await report(http, keys)

    theirs = await advance(http, keys, risk_id, "RECTIFYING", department="customs")
    missing = await advance(http, keys, unknown_id, "RECTIFYING", department="customs")

    errors = input_errors(theirs, "advanceRisk")
    assert len(errors) == 1
    assert errors[0]["field"] == "id"
    assert theirs == missing
    _, read = await graphql(
        http, RISK_BY_ID, bearer=token(keys, "emergency"), variables={"id": risk_id}
    )
    assert read["data"]["risk"]["status"] == "REPORTED"
