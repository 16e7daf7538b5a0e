"""Agreements as readable policy files (YAML or TOML), for review and version control.

```yaml
agreement: ftz-customs-memorandum
title: ...
legal_basis: ...
purposes: [information_exchange, joint_inspection]
valid_from: 2026-01-01T00:00:00Z
valid_until: 2028-12-31T23:59:59Z
parties: [customs, emergency]
grants:
  - provider: customs
    consumers: [emergency]
    record_type: dangerous_chemical_entry
    purposes: [joint_inspection]          # a subset of the agreement's purposes
    scope: {zones: [Lingang Chemical Park]}  # optional; omitted: every enterprise
    fields: {chemical_name: full, quantity: masked}
  - provider: customs
    consumers: [park]
    record_type: dangerous_chemical_entry
    during: incident                      # only for an open incident the consumer
    fields: {storage_location: full}      # acknowledged: see permissions.incident_access
```
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from liaison.permissions.incident_access import CONDITIONS, EMERGENCY_RESPONSE
from liaison.permissions.policy import Level, Scope, validate_grant_fields

_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class PolicyFileError(ValueError):
    """A policy file that does not state a valid agreement; the message says where."""


@dataclass(frozen=True)
class GrantSpec:
    provider: str
    consumer: str
    record_type: str
    fields: Mapping[str, Level]
    scope: Scope
    purposes: frozenset[str]
    during: str | None = None  # see permissions.incident_access


@dataclass(frozen=True)
class AgreementSpec:
    code: str
    title: str
    legal_basis: str
    purposes: tuple[str, ...]
    valid_from: dt.datetime
    valid_until: dt.datetime
    parties: tuple[str, ...]
    grants: tuple[GrantSpec, ...]


def _moment(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise PolicyFileError(f"{field} must be an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _strings(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or not value:
        raise PolicyFileError(f"{field} must be a non-empty list of strings")
    return tuple(value)


def parse_agreement(data: Mapping[str, Any]) -> AgreementSpec:
    known = {
        "agreement",
        "title",
        "legal_basis",
        "purposes",
        "valid_from",
        "valid_until",
        "parties",
        "grants",
    }
    unknown = set(data) - known
    if unknown:
        raise PolicyFileError(f"unknown key(s): {', '.join(sorted(unknown))}")
    missing = known - set(data)
    if missing:
        raise PolicyFileError(f"missing key(s): {', '.join(sorted(missing))}")
    code = str(data["agreement"])
    if not _CODE.match(code):
        raise PolicyFileError("agreement must be a code of lowercase letters, digits, . _ -")
    purposes = _strings(data["purposes"], "purposes")
    for purpose in purposes:
        if not _PURPOSE.match(purpose):
            raise PolicyFileError(f"purpose {purpose!r} must be lowercase letters, digits, _")
    parties = _strings(data["parties"], "parties")
    valid_from = _moment(data["valid_from"], "valid_from")
    valid_until = _moment(data["valid_until"], "valid_until")
    if valid_until <= valid_from:
        raise PolicyFileError("valid_until must be after valid_from")
    grants: list[GrantSpec] = []
    for index, raw in enumerate(data["grants"] or []):
        grants.extend(_grants(raw, f"grants[{index}]", parties, purposes))
    if not grants:
        raise PolicyFileError("an agreement must grant something")
    return AgreementSpec(
        code=code,
        title=str(data["title"]),
        legal_basis=str(data["legal_basis"]),
        purposes=purposes,
        valid_from=valid_from,
        valid_until=valid_until,
        parties=parties,
        grants=tuple(grants),
    )


def _grants(
    raw: Any, where: str, parties: tuple[str, ...], purposes: tuple[str, ...]
) -> list[GrantSpec]:
    if not isinstance(raw, Mapping):
        raise PolicyFileError(f"{where} must be a mapping")
    allowed = {"provider", "consumers", "record_type", "purposes", "scope", "fields", "during"}
    unknown = set(raw) - allowed
    if unknown:
        raise PolicyFileError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    provider = str(raw.get("provider"))
    consumers = _strings(raw.get("consumers"), f"{where}.consumers")
    for department in (provider, *consumers):
        if department not in parties:
            raise PolicyFileError(f"{where}: {department} is not a party to the agreement")
    if provider in consumers:
        raise PolicyFileError(f"{where}: a department does not grant to itself")
    during = _during(raw.get("during"), where)
    # A grant during an incident serves the emergency response, and nothing else.
    default = [EMERGENCY_RESPONSE] if during is not None else list(purposes)
    grant_purposes = frozenset(_strings(raw.get("purposes", default), f"{where}.purposes"))
    if not grant_purposes <= set(purposes):
        raise PolicyFileError(f"{where}: purposes must be among the agreement's purposes")
    if during is not None and grant_purposes != {EMERGENCY_RESPONSE}:
        raise PolicyFileError(
            f"{where}: a grant during an incident serves {EMERGENCY_RESPONSE} only"
        )
    fields = raw.get("fields")
    if not isinstance(fields, Mapping):
        raise PolicyFileError(f"{where}.fields must map each field to full or masked")
    try:
        levels = validate_grant_fields(str(raw.get("record_type")), fields)
        scope = Scope.from_mapping(raw.get("scope"))
    except ValueError as exc:
        raise PolicyFileError(f"{where}: {exc}") from None
    return [
        GrantSpec(
            provider, consumer, str(raw["record_type"]), levels, scope, grant_purposes, during
        )
        for consumer in consumers
    ]


def _during(value: Any, where: str) -> str | None:
    if value is None or value in CONDITIONS:
        return None if value is None else str(value)
    raise PolicyFileError(
        f"{where}.during must be one of: {', '.join(sorted(CONDITIONS))} (or left out)"
    )


def load_policy_file(path: Path) -> AgreementSpec:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise PolicyFileError(
            f"{path.name} is not valid {path.suffix[1:].upper()}: {exc}"
        ) from None
    if not isinstance(data, Mapping):
        raise PolicyFileError(f"{path.name} must hold one agreement mapping")
    return parse_agreement(data)
