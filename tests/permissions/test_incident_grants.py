"""Grants that apply only during an incident, compiled and decided alone: no database, no
GraphQL. Such a grant is in force for a consumer only for emergency_response, only when the
request's case names an open incident the consumer acknowledged, and only for the
incident's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from liaison.permissions.catalogue import element
from liaison.permissions.decision import decide
from liaison.permissions.incident_access import OpenIncident
from liaison.permissions.policy import (
    AgreementRef,
    CompiledPolicy,
    GrantTerms,
    Level,
    Scope,
    compile_policy,
)
from liaison.permissions.policy_file import PolicyFileError, parse_agreement

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MEMO = AgreementRef(1, "memo", 2, valid_until=dt.datetime(2028, 1, 1, tzinfo=dt.UTC))
STORAGE = element("dangerous_chemical_entry.storage_location")
ZONE = "Lingang Chemical Park"
FIRE = OpenIncident("INC-2026-0007", ZONE, frozenset({"park", "ecology"}))


def make_grant(
    *,
    fields: dict[str, Level] | None = None,
    consumer: str = "park",
    during: str | None = "incident",
    scope: Scope = Scope(),  # noqa: B008 - frozen, so one shared default is safe
    purposes: frozenset[str] = frozenset({"emergency_response"}),
) -> GrantTerms:
    return GrantTerms(
        agreement=MEMO,
        status="active",
        valid_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        provider="customs",
        consumer=consumer,
        record_type="dangerous_chemical_entry",
        fields=fields or {"storage_location": Level.FULL},
        scope=scope,
        purposes=purposes,
        during=during,
    )


def compiled(
    *grants: GrantTerms,
    consumer: str = "park",
    purpose: str | None = "emergency_response",
    incident: OpenIncident | None = FIRE,
) -> CompiledPolicy:
    return compile_policy(grants, consumer=consumer, purpose=purpose, now=NOW, incident=incident)


def granted(policy: CompiledPolicy) -> list[tuple[Scope, str | None]]:
    grants = policy.grants_from("customs", "dangerous_chemical_entry")
    return [(g.scope, g.incident) for g in grants]


def test_a_grant_during_an_incident_applies_to_a_responder_for_the_incident_zone() -> None:
    assert granted(compiled(make_grant())) == [(Scope(zones=frozenset({ZONE})), FIRE.reference)]


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("without the incident's case", {"incident": None}),
        ("for another purpose", {"purpose": "joint_inspection"}),
        ("without a purpose", {"purpose": None}),
        ("for a department that did not acknowledge", {"consumer": "market"}),
    ],
)
def test_a_grant_during_an_incident_gives_nothing(case: str, changes: dict[str, Any]) -> None:
    consumer = changes.pop("consumer", "park")
    policy = compiled(make_grant(consumer=consumer), consumer=consumer, **changes)

    assert granted(policy) == [], case


def test_a_standing_grant_applies_with_or_without_the_incident() -> None:
    standing = make_grant(during=None)

    assert granted(compiled(standing)) == [(Scope(), None)]
    assert granted(compiled(standing, incident=None)) == [(Scope(), None)]


def test_a_grant_scoped_to_the_incident_zone_keeps_its_other_facets() -> None:
    scope = Scope(zones=frozenset({ZONE, "Waigaoqiao Bonded Zone"}), industries=frozenset({"x"}))

    [(narrowed, _)] = granted(compiled(make_grant(scope=scope)))

    assert narrowed == Scope(zones=frozenset({ZONE}), industries=frozenset({"x"}))


def test_a_grant_scoped_to_other_zones_gives_nothing_during_the_incident() -> None:
    scope = Scope(zones=frozenset({"Waigaoqiao Bonded Zone"}))

    assert granted(compiled(make_grant(scope=scope))) == []


def test_standing_grants_come_first_so_the_one_recorded_is_the_one_that_sufficed() -> None:
    during = make_grant(fields={"storage_location": Level.FULL})
    standing = make_grant(fields={"storage_location": Level.FULL}, during=None)

    policy = compiled(during, standing)
    decision = decide(policy, owner="customs", element=STORAGE, scope_bits=0b11)

    assert granted(policy) == [(Scope(), None), (Scope(zones=frozenset({ZONE})), FIRE.reference)]
    assert decision.level is Level.FULL
    assert decision.reason == "granted by memo"


def test_a_level_only_the_incident_gives_names_the_incident_in_its_reason() -> None:
    standing = make_grant(fields={"storage_location": Level.MASKED}, during=None)
    during = make_grant(fields={"storage_location": Level.FULL})

    policy = compiled(standing, during)
    inside = decide(policy, owner="customs", element=STORAGE, scope_bits=0b11)
    outside = decide(policy, owner="customs", element=STORAGE, scope_bits=0b01)

    assert (inside.level, inside.agreement, inside.reason) == (
        Level.FULL,
        MEMO,
        "granted by memo during incident INC-2026-0007",
    )
    assert (outside.level, outside.reason) == (Level.MASKED, "granted by memo")


def test_an_unknown_condition_is_never_compiled_in() -> None:
    assert granted(compiled(make_grant(during="drill"))) == []


# --- the policy file ---------------------------------------------------------------------


def agreement(grant: dict[str, Any], purposes: list[str] | None = None) -> dict[str, Any]:
    return {
        "agreement": "memo",
        "title": "memo",
        "legal_basis": "tests",
        "purposes": purposes or ["joint_inspection", "emergency_response"],
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2028-01-01T00:00:00Z",
        "parties": ["customs", "park"],
        "grants": [
            {
                "provider": "customs",
                "consumers": ["park"],
                "record_type": "dangerous_chemical_entry",
                "fields": {"storage_location": "full"},
                **grant,
            }
        ],
    }


def test_a_policy_file_grant_during_an_incident_serves_emergency_response_by_default() -> None:
    [grant] = parse_agreement(agreement({"during": "incident"})).grants

    assert (grant.during, grant.purposes) == ("incident", frozenset({"emergency_response"}))


def test_a_policy_file_grant_without_during_is_standing_and_serves_every_purpose() -> None:
    [grant] = parse_agreement(agreement({})).grants

    assert (grant.during, grant.purposes) == (None, {"joint_inspection", "emergency_response"})


@pytest.mark.parametrize(
    ("grant", "purposes", "message"),
    [
        (
            {"during": "incident", "purposes": ["joint_inspection", "emergency_response"]},
            None,
            "grants[0]: a grant during an incident serves emergency_response only",
        ),
        (
            {"during": "drill"},
            None,
            "grants[0].during must be one of: incident (or left out)",
        ),
        (
            {"during": "incident"},
            ["joint_inspection"],
            "grants[0]: purposes must be among the agreement's purposes",
        ),
    ],
)
def test_a_policy_file_refuses_a_grant_during_an_incident_it_cannot_apply(
    grant: dict[str, Any], purposes: list[str] | None, message: str
) -> None:
    with pytest.raises(PolicyFileError) as refused:
        parse_agreement(agreement(grant, purposes))

    assert str(refused.value) == message
