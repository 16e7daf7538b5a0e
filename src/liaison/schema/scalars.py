"""Scalars whose values may arrive masked: a masked value is a band or a month, never raw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from liaison.permissions.masking import Masked

Amount = NewType("Amount", str)
Day = NewType("Day", str)


def _serialize_amount(value: Any) -> str:
    if isinstance(value, Masked):
        return str(value)
    return format(Decimal(value).normalize(), "f")


def _parse_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not a finite decimal number")
    return amount


def _serialize_day(value: Any) -> str:
    if isinstance(value, Masked):
        return str(value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _parse_day(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form") from None


SCALARS: dict[object, ScalarDefinition] = {
    Amount: strawberry.scalar(
        name="Amount",
        description=(
            'A decimal amount as a string, e.g. "1250.5". Shared at the masked level it is '
            'the band that holds it, e.g. "1000..2000".'
        ),
        serialize=_serialize_amount,
        parse_value=_parse_amount,
    ),
    Day: strawberry.scalar(
        name="Day",
        description=(
            'A calendar date, e.g. "2026-03-14". Shared at the masked level it is its month, '
            'e.g. "2026-03".'
        ),
        serialize=_serialize_day,
        parse_value=_parse_day,
    ),
}
