"""The decision function alone: no database, no GraphQL."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.permissions.catalogue import RECORD_TYPES, element
from liaison.permissions.decision import decide
from liaison.permissions.masking import band
from liaison.permissions.policy import (
    AgreementRef,
    GrantTerms,
    Level,
    Scope,
    compile_policy,
)
from liaison.permissions.record_types import PARTY_BITS, PartyRule, record_type

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
MEMO = AgreementRef(1, "memo", 3, valid_until=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))


def make_grant(
    *,
    fields: dict[str, Level],
    provider: str = "customs",
    consumer: str = "emergency",
    record_type: str = "dangerous_chemical_entry",
    purposes: frozenset[str] = frozenset({"joint_inspection"}),
    scope: Scope = Scope(),  # noqa: B008 - frozen, so one shared default is safe
    status: str = "active",
    agreement: AgreementRef = MEMO,
    valid_from: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
) -> GrantTerms:
    return GrantTerms(
        agreement=agreement,
        status=status,
        valid_from=valid_from,
        provider=provider,
        consumer=consumer,
        record_type=record_type,
        fields=fields,
        scope=scope,
        purposes=purposes,
    )


CAS = "dangerous_chemical_entry.cas_number"
QUANTITY = "dangerous_chemical_entry.quantity"
ENDED = AgreementRef(2, "ended", 1, valid_until=NOW - dt.timedelta(seconds=1))


@pytest.mark.parametrize(
    ("case", "grants", "owner", "name", "bits", "purpose", "expected"),
    [
        ("own record", [], "emergency", CAS, 0, None, Level.FULL),
        ("no grant", [], "customs", CAS, 1, "joint_inspection", Level.NONE),
        (
            "granted full",
            [make_grant(fields={"cas_number": Level.FULL})],
            "customs",
            CAS,
            1,
            "joint_inspection",
            Level.FULL,
        ),
        (
            "granted masked",
            [make_grant(fields={"quantity": Level.MASKED})],
            "customs",
            QUANTITY,
            1,
            "joint_inspection",
            Level.MASKED,
        ),
        (
            "another field granted",
            [make_grant(fields={"quantity": Level.MASKED})],
            "customs",
            CAS,
            1,
            "joint_inspection",
            Level.NONE,
        ),
        (
            "scope does not hold the record",
            [make_grant(fields={"cas_number": Level.FULL})],
            "customs",
            CAS,
            0,
            "joint_inspection",
            Level.NONE,
        ),
        (
            "other purpose",
            [make_grant(fields={"cas_number": Level.FULL})],
            "customs",
            CAS,
            1,
            "emergency_response",
            Level.NONE,
        ),
        (
            "no purpose stated",
            [make_grant(fields={"cas_number": Level.FULL})],
            "customs",
            CAS,
            1,
            None,
            Level.NONE,
        ),
        (
            "grant to another consumer",
            [make_grant(consumer="park", fields={"cas_number": Level.FULL})],
            "customs",
            CAS,
            1,
            "joint_inspection",
            Level.NONE,
        ),
        (
            "grant from another provider",
            [make_grant(provider="market", fields={"cas_number": Level.FULL})],
            "customs",
            CAS,
            1,
            "joint_inspection",
            Level.NONE,
        ),
        (
            "suspended agreement",
            [make_grant(status="suspended", fields={"cas_number": Level.FULL})],
            "customs",
            CAS,
            1,
            "joint_inspection",
            Level.NONE,
        ),
        (
            "expired a second ago",
            [make_grant(agreement=ENDED, fields={"cas_number": Level.FULL})],
            "customs",
            CAS,
            1,
            "joint_inspection",
            Level.NONE,
        ),
        (
            "not yet in force",
            [
                make_grant(
                    valid_from=NOW + dt.timedelta(seconds=1), fields={"cas_number": Level.FULL}
                )
            ],
            "customs",
            CAS,
            1,
            "joint_inspection",
            Level.NONE,
        ),
        (
            "highest level of two matching grants",
            [
                make_grant(fields={"quantity": Level.MASKED}),
                make_grant(fields={"quantity": Level.FULL}),
            ],
            "customs",
            QUANTITY,
            0b11,
            "joint_inspection",
            Level.FULL,
        ),
        (
            "only the matching grant counts",
            [
                make_grant(fields={"quantity": Level.MASKED}),
                make_grant(fields={"quantity": Level.FULL}),
            ],
            "customs",
            QUANTITY,
            0b01,
            "joint_inspection",
            Level.MASKED,
        ),
        ("USCC is visible to everyone", [], "market", "enterprise.uscc", 0, None, Level.FULL),
        (
            "record id follows its record",
            [make_grant(fields={"quantity": Level.MASKED})],
            "customs",
            "dangerous_chemical_entry.id",
            1,
            "joint_inspection",
            Level.FULL,
        ),
    ],
)
def test_a_field_is_visible_only_through_an_active_grant_for_the_stated_purpose(
    case: str,
    grants: list[GrantTerms],
    owner: str,
    name: str,
    bits: int,
    purpose: str | None,
    expected: Level,
) -> None:
    policy = compile_policy(grants, consumer="emergency", purpose=purpose, now=NOW)

    decision = decide(policy, owner=owner, element=element(name), scope_bits=bits)

    assert decision.level is expected, case


def test_a_decision_names_the_agreement_that_allowed_it() -> None:
    policy = compile_policy(
        [make_grant(fields={"cas_number": Level.FULL})],
        consumer="emergency",
        purpose="joint_inspection",
        now=NOW,
    )

    decision = decide(policy, owner="customs", element=element(CAS), scope_bits=1)

    assert decision.agreement == MEMO


def test_a_compiled_policy_goes_stale_exactly_when_a_grant_ends() -> None:
    policy = compile_policy(
        [make_grant(fields={"cas_number": Level.FULL})],
        consumer="emergency",
        purpose="joint_inspection",
        now=NOW,
    )

    assert policy.fresh(MEMO.valid_until - dt.timedelta(microseconds=1))
    assert not policy.fresh(MEMO.valid_until)


# --- parties: a record seen whole because of the caller's part in it -----------------------

REFERRAL_LIKE = record_type(
    "party_test_record",
    "A record its receiver sees whole (a referral, say).",
    with_record=("id", "owner", "enterprise"),
    governed={"clue": None, "amount": band(1000)},
    parties=(PartyRule("receiver", "receiver of the referral"),),
)
RECEIVER_BIT = 1 << PARTY_BITS


@pytest.fixture
def party_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RECORD_TYPES, REFERRAL_LIKE.name, REFERRAL_LIKE)


@pytest.mark.parametrize(
    ("case", "bits", "name", "expected"),
    [
        ("a party sees a governed field in full", RECEIVER_BIT, "clue", Level.FULL),
        ("even one no agreement would mask", RECEIVER_BIT, "amount", Level.FULL),
        ("and the record's links", RECEIVER_BIT, "owner", Level.FULL),
        ("without the part: nothing", 0, "clue", Level.NONE),
        ("a grant's bit is not a part", 1, "clue", Level.NONE),
    ],
)
def test_a_party_sees_the_record_whole_whatever_the_agreements_say(
    party_type: None, case: str, bits: int, name: str, expected: Level
) -> None:
    policy = compile_policy([], consumer="emergency", purpose="joint_inspection", now=NOW)
    decision = decide(policy, owner="market", element=REFERRAL_LIKE.elements[name], scope_bits=bits)

    assert decision.level is expected
    if expected is Level.FULL and name != "owner":
        assert decision.agreement is None
        assert decision.reason == "party: receiver of the referral"


def test_a_partys_bit_never_counts_as_a_grant(party_type: None) -> None:
    grants = [
        make_grant(
            provider="market",
            record_type=REFERRAL_LIKE.name,
            fields={"amount": Level.MASKED},
        )
    ]
    policy = compile_policy(grants, consumer="emergency", purpose="joint_inspection", now=NOW)

    granted = decide(policy, owner="market", element=REFERRAL_LIKE.elements["amount"], scope_bits=1)
    as_party = decide(
        policy,
        owner="market",
        element=REFERRAL_LIKE.elements["amount"],
        scope_bits=1 | RECEIVER_BIT,
    )

    assert (granted.level, granted.agreement) == (Level.MASKED, MEMO)
    assert (as_party.level, as_party.agreement) == (Level.FULL, None)
