"""Masked level: each maskable element declares how its value is coarsened.

A mask never returns the raw value. Numbers become the band that holds them, dates their
month, addresses their district, phones and names lose their identifying middle.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


class Masked(str):
    """A value coarsened by a mask, kept distinct so serialisers can tell it from raw data."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Mask:
    description: str
    apply: Callable[[Any], Masked | None]

    def __call__(self, value: Any) -> Masked | None:
        return None if value is None else self.apply(value)


def band(width: int) -> Mask:
    def apply(value: Any) -> Masked:
        amount = Decimal(value)
        low = (amount // width) * width
        return Masked(f"{low:f}..{low + width:f}")

    return Mask(f"the band of width {width} that contains it, e.g. 1000..2000", apply)


def month() -> Mask:
    def apply(value: Any) -> Masked:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return Masked(f"{day.year:04d}-{day.month:02d}")

    return Mask("its month, e.g. 2026-03", apply)


_DISTRICT = re.compile(r"^.*?(?:区|县|旗|District|County)")


def district() -> Mask:
    def apply(value: Any) -> Masked:
        found = _DISTRICT.match(str(value))
        return Masked(found.group(0) if found else "")

    return Mask("its district, e.g. 上海市浦东新区", apply)


def phone() -> Mask:
    def apply(value: Any) -> Masked:
        digits = str(value)
        if len(digits) <= 7:
            return Masked("*" * len(digits))
        return Masked(digits[:3] + "*" * (len(digits) - 7) + digits[-4:])

    return Mask("the middle digits hidden, e.g. 138****5678", apply)


def person_name() -> Mask:
    def apply(value: Any) -> Masked:
        name = str(value)
        return Masked(name[:1] + "*" * max(len(name) - 1, 1))

    return Mask("the family name only, e.g. 张*", apply)


def keep_ends(start: int, end: int) -> Mask:
    def apply(value: Any) -> Masked:
        text = str(value)
        if len(text) <= start + end:
            return Masked("*" * len(text))
        return Masked(text[:start] + "*" * (len(text) - start - end) + text[len(text) - end :])

    return Mask(f"all but the first {start} and last {end} characters hidden", apply)
