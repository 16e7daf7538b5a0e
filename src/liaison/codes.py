"""Validation of official codes: USCC, CAS registry numbers and UN dangerous-goods codes."""

from __future__ import annotations

import re

# GB 32100-2015: digits and capital letters without I, O, S, V and Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
_USCC_WEIGHTS = tuple(pow(3, i, len(USCC_ALPHABET)) for i in range(USCC_LENGTH - 1))

# Explicit ASCII classes: \d would also accept other scripts' digits.
_CAS_FORMAT = re.compile(r"([0-9]{2,7})-([0-9]{2})-([0-9])")
_UN_FORMAT = re.compile(r"UN *([0-9]{4})")
UN_NUMBER_MIN = 4
UN_NUMBER_MAX = 3599

_DIVISIONS: dict[str, tuple[str, ...]] = {
    "1": ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6"),
    "2": ("2.1", "2.2", "2.3"),
    "3": ("3",),
    "4": ("4.1", "4.2", "4.3"),
    "5": ("5.1", "5.2"),
    "6": ("6.1", "6.2"),
    "7": ("7",),
    "8": ("8",),
    "9": ("9",),
}
HAZARD_CLASSES: tuple[str, ...] = tuple(d for divisions in _DIVISIONS.values() for d in divisions)
PACKING_GROUPS = ("I", "II", "III")


class InvalidCode(ValueError):
    """A code that breaks a rule; `rule` is one sentence the user can act on."""

    def __init__(self, kind: str, value: str, rule: str) -> None:
        super().__init__(f"{kind} {value!r} is invalid: {rule}")
        self.kind = kind
        self.value = value
        self.rule = rule


def _uscc_bad_character(code: str) -> str | None:
    for position, char in enumerate(code, start=1):
        if char not in USCC_ALPHABET:
            return (
                f"character {char!r} at position {position} is not allowed; use digits "
                "and capital letters other than I, O, S, V and Z"
            )
    return None


def uscc_check_character(first17: str) -> str:
    if len(first17) != USCC_LENGTH - 1:
        rule = f"the check character needs exactly 17 characters, {len(first17)} given"
        raise InvalidCode("USCC", first17, rule)
    if (bad := _uscc_bad_character(first17)) is not None:
        raise InvalidCode("USCC", first17, bad)
    total = sum(
        USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    modulus = len(USCC_ALPHABET)
    return USCC_ALPHABET[(modulus - total % modulus) % modulus]


def validate_uscc(value: str) -> str:
    code = value.strip().upper()
    if len(code) != USCC_LENGTH:
        rule = f"a USCC has exactly {USCC_LENGTH} characters, {len(code)} given"
        raise InvalidCode("USCC", value, rule)
    if (bad := _uscc_bad_character(code)) is not None:
        raise InvalidCode("USCC", value, bad)
    expected = uscc_check_character(code[:-1])
    if code[-1] != expected:
        rule = f"the check character (position 18) should be {expected!r}, not {code[-1]!r}"
        raise InvalidCode("USCC", value, rule)
    return code


def cas_check_digit(digits: str) -> int:
    if not re.fullmatch(r"[0-9]+", digits):
        raise InvalidCode("CAS", digits, "the check digit is computed from digits 0-9 only")
    # Weights count from the rightmost digit, so a longer number keeps its tail's weights.
    return sum(weight * int(d) for weight, d in enumerate(reversed(digits), start=1)) % 10


def validate_cas(value: str) -> str:
    code = value.strip()
    match = _CAS_FORMAT.fullmatch(code)
    if match is None:
        rule = (
            "a CAS number is 2 to 7 digits, a dash, 2 digits, a dash and one check digit, "
            "e.g. 7732-18-5"
        )
        raise InvalidCode("CAS", value, rule)
    first, second, check = match.groups()
    if first.startswith("0"):
        raise InvalidCode("CAS", value, "the first part of a CAS number must not start with 0")
    expected = cas_check_digit(first + second)
    if int(check) != expected:
        rule = f"the check digit (last digit) should be {expected}, not {check}"
        raise InvalidCode("CAS", value, rule)
    return code


def validate_un_number(value: str) -> str:
    match = _UN_FORMAT.fullmatch(value.strip().upper())
    if match is None:
        rule = "a UN number is 'UN' followed by four digits, e.g. UN1017"
        raise InvalidCode("UN", value, rule)
    digits = match.group(1)
    if not UN_NUMBER_MIN <= int(digits) <= UN_NUMBER_MAX:
        rule = f"UN numbers run from UN{UN_NUMBER_MIN:04d} to UN{UN_NUMBER_MAX:04d}"
        raise InvalidCode("UN", value, rule)
    return f"UN{digits}"


def validate_hazard_class(value: str) -> str:
    code = value.strip()
    if code in HAZARD_CLASSES:
        return code
    divisions = _DIVISIONS.get(code, ())
    if len(divisions) > 1:
        rule = f"class {code} must be given with its division: {', '.join(divisions)}"
    else:
        rule = f"use a UN class or division: {', '.join(HAZARD_CLASSES)}"
    raise InvalidCode("hazard class", value, rule)


def validate_packing_group(value: str) -> str:
    code = value.strip().upper()
    if code not in PACKING_GROUPS:
        raise InvalidCode("packing group", value, "use the Roman numerals I, II or III")
    return code
