"""The certificate's rules as plain functions, every pair of status and event: which steps
the state machine allows, what each leaves the certificate in, and who issues which kind."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.db.certificate_models import (
    Certificate,
    CertificateEventKind,
    CertificateKind,
    CertificateStatus,
)
from liaison.db.certificates import (
    TRANSITIONS,
    issuer_refusal,
    status_of,
    transition_refusal,
)

S, E = CertificateStatus, CertificateEventKind
ALLOWED = {
    (S.VALID, E.SUPERVISION_AUDIT): "valid",
    (S.VALID, E.SUSPENDED): "suspended",
    (S.VALID, E.REVOKED): "revoked",
    (S.SUSPENDED, E.SUPERVISION_AUDIT): "suspended",
    (S.SUSPENDED, E.RESUMED): "valid",
    (S.SUSPENDED, E.REVOKED): "revoked",
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("event", list(E))
def test_only_the_documented_steps_are_allowed(
    status: CertificateStatus, event: CertificateEventKind
) -> None:
    refusal = transition_refusal(status.value, event.value)

    if (status, event) in ALLOWED:
        assert refusal is None
        assert TRANSITIONS[status][event] == ALLOWED[(status, event)]
    else:
        assert refusal is not None
        assert event not in TRANSITIONS[status]


@pytest.mark.parametrize(
    ("state", "valid_until", "expected"),
    [
        ("valid", dt.date(2026, 12, 4), "valid"),  # its last day
        ("valid", dt.date(2026, 12, 3), "expired"),
        ("suspended", dt.date(2026, 12, 3), "expired"),
        ("revoked", dt.date(2026, 12, 3), "revoked"),  # revoked first: stays revoked
    ],
)
def test_expiry_is_derived_from_valid_until_unless_revoked_first(
    state: str, valid_until: dt.date, expected: str
) -> None:
    certificate = Certificate(state=state, valid_until=valid_until)

    assert status_of(certificate, dt.date(2026, 12, 4)) == expected


@pytest.mark.parametrize(
    ("department_kind", "issues"),
    [
        (
            "emergency_management",
            {
                CertificateKind.SAFETY_PRODUCTION_LICENCE,
                CertificateKind.DANGEROUS_CHEMICAL_OPERATION_LICENCE,
            },
        ),
        (
            "market_supervision",
            {
                CertificateKind.ENVIRONMENTAL_MANAGEMENT_SYSTEM,
                CertificateKind.QUALITY_MANAGEMENT_SYSTEM,
            },
        ),
        ("customs", set()),
        ("park_committee", set()),
        ("ecology_environment", set()),
    ],
)
def test_each_department_kind_issues_its_kinds_only(
    department_kind: str, issues: set[CertificateKind]
) -> None:
    allowed = {k for k in CertificateKind if issuer_refusal(department_kind, k.value) is None}

    assert allowed == issues
