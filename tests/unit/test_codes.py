from __future__ import annotations

import pytest

from liaison.codes import (
    InvalidCode,
    cas_check_digit,
    uscc_check_character,
    validate_cas,
    validate_hazard_class,
    validate_packing_group,
    validate_un_number,
    validate_uscc,
)

# Check characters below were computed outside this codebase with the GB 32100-2015 weights.
BEIJING_COMPANY = "91110000600037341L"
COOPERATIVE = "N2110108MA01ABCD0T"  # authority N (agriculture): starts with a letter
OTHER_AUTHORITY = "Y1440300MA5ETQ3N0D"


@pytest.mark.parametrize("code", [BEIJING_COMPANY, COOPERATIVE, OTHER_AUTHORITY])
def test_a_uscc_with_the_right_check_character_is_accepted(code: str) -> None:
    assert validate_uscc(code) == code


@pytest.mark.parametrize("code", [BEIJING_COMPANY, COOPERATIVE, OTHER_AUTHORITY])
def test_the_check_character_is_computed_from_the_first_17_characters(code: str) -> None:
    assert uscc_check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("91110000600037341l", BEIJING_COMPANY),
        ("  91110000600037341L\n", BEIJING_COMPANY),
        ("n2110108ma01abcd0t", COOPERATIVE),
    ],
)
def test_a_uscc_is_returned_uppercased_without_surrounding_whitespace(
    raw: str, canonical: str
) -> None:
    assert validate_uscc(raw) == canonical


@pytest.mark.parametrize(
    ("code", "fragments"),
    [
        ("91110000600037341", ["exactly 18 characters", "17 given"]),
        ("91110000600037341LL", ["exactly 18 characters", "19 given"]),
        ("", ["0 given"]),
        ("9111 000600037341L", ["' '", "position 5"]),
        ("91110000600O37341L", ["'O'", "position 12"]),
        ("91110000600037341I", ["'I'", "position 18"]),
        ("S1110000600037341L", ["'S'", "position 1"]),
        ("91110000600037341M", ["should be 'L'", "not 'M'"]),
        ("91110000600037342L", ["should be 'P'", "not 'L'"]),  # typo in position 17
        ("N2110108MA01ABCD0U", ["should be 'T'"]),
    ],
)
def test_a_bad_uscc_is_rejected_with_the_broken_rule_named(code: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidCode) as caught:
        validate_uscc(code)

    assert caught.value.kind == "USCC"
    assert caught.value.value == code
    for fragment in fragments:
        assert fragment in caught.value.rule


def test_a_rejected_code_reads_as_one_sentence() -> None:
    with pytest.raises(InvalidCode) as caught:
        validate_uscc("91110000600037341M")

    assert str(caught.value) == (
        "USCC '91110000600037341M' is invalid: "
        "the check character (position 18) should be 'L', not 'M'"
    )
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("first17", ["9111000060003734", "9111000060003734I"])
def test_a_check_character_needs_17_allowed_characters(first17: str) -> None:
    with pytest.raises(InvalidCode):
        uscc_check_character(first17)


@pytest.mark.parametrize(
    ("digits", "check"),
    [("7143", 2), ("773218", 5), ("5000", 0), ("773250", 5), ("6847685", 7)],
)
def test_the_cas_check_digit_weights_digits_from_the_right(digits: str, check: int) -> None:
    assert cas_check_digit(digits) == check


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("71-43-2", "71-43-2"),  # benzene
        ("7732-18-5", "7732-18-5"),  # water
        ("50-00-0", "50-00-0"),  # formaldehyde
        ("68476-85-7", "68476-85-7"),  # liquefied petroleum gas
        (" 7782-50-5 ", "7782-50-5"),  # chlorine
    ],
)
def test_a_cas_number_with_the_right_check_digit_is_accepted(raw: str, canonical: str) -> None:
    assert validate_cas(raw) == canonical


@pytest.mark.parametrize(
    ("code", "fragments"),
    [
        ("71432", ["2 to 7 digits", "e.g. 7732-18-5"]),
        ("7-43-2", ["2 to 7 digits"]),
        ("12345678-43-2", ["2 to 7 digits"]),
        ("71-4-2", ["2 digits"]),
        ("71-43-22", ["one check digit"]),
        ("71 43 2", ["a dash"]),
        ("71-43-X", ["check digit"]),
        ("71-４3-2", ["2 to 7 digits"]),  # full-width digit
        ("071-43-2", ["must not start with 0"]),
        ("71-43-3", ["should be 2", "not 3"]),
        ("7732-18-4", ["should be 5"]),
    ],
)
def test_a_bad_cas_number_is_rejected_with_the_broken_rule_named(
    code: str, fragments: list[str]
) -> None:
    with pytest.raises(InvalidCode) as caught:
        validate_cas(code)

    assert caught.value.kind == "CAS"
    for fragment in fragments:
        assert fragment in caught.value.rule


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("UN1017", "UN1017"),
        ("un 1017", "UN1017"),
        ("UN 1017", "UN1017"),
        (" Un1830 ", "UN1830"),
        ("UN0004", "UN0004"),
        ("UN3599", "UN3599"),
    ],
)
def test_a_un_number_is_returned_as_un_and_four_digits(raw: str, canonical: str) -> None:
    assert validate_un_number(raw) == canonical


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("1017", "'UN' followed by four digits"),
        ("UN101", "four digits"),
        ("UN10170", "four digits"),
        ("UN-1017", "four digits"),
        ("UN1O17", "four digits"),
        ("UN0000", "from UN0004 to UN3599"),
        ("UN0003", "from UN0004 to UN3599"),
        ("UN3600", "from UN0004 to UN3599"),
    ],
)
def test_a_bad_un_number_is_rejected_with_what_is_allowed(code: str, fragment: str) -> None:
    with pytest.raises(InvalidCode) as caught:
        validate_un_number(code)

    assert caught.value.kind == "UN"
    assert fragment in caught.value.rule


@pytest.mark.parametrize(
    "code",
    [
        "1.1",
        "1.6",
        "2.1",
        "2.2",
        "2.3",
        "3",
        "4.1",
        "4.3",
        "5.1",
        "5.2",
        "6.1",
        "6.2",
        "7",
        "8",
        "9",
    ],
)
def test_every_un_class_and_division_is_accepted(code: str) -> None:
    assert validate_hazard_class(f" {code} ") == code


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("2", "class 2 must be given with its division: 2.1, 2.2, 2.3"),
        ("6", "6.1, 6.2"),
        ("1.7", "1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 2.1"),
        ("3.1", "use a UN class or division"),
        ("5.3", "5.1, 5.2, 6.1"),
        ("10", "7, 8, 9"),
        ("", "use a UN class or division"),
    ],
)
def test_a_bad_hazard_class_is_rejected_with_the_allowed_list(code: str, fragment: str) -> None:
    with pytest.raises(InvalidCode) as caught:
        validate_hazard_class(code)

    assert caught.value.kind == "hazard class"
    assert fragment in caught.value.rule


@pytest.mark.parametrize(
    ("raw", "canonical"), [("I", "I"), ("II", "II"), ("III", "III"), (" ii ", "II")]
)
def test_a_packing_group_is_a_roman_numeral_from_one_to_three(raw: str, canonical: str) -> None:
    assert validate_packing_group(raw) == canonical


@pytest.mark.parametrize("code", ["IV", "2", "PG II", "", "I I"])
def test_a_bad_packing_group_is_rejected_with_the_allowed_list(code: str) -> None:
    with pytest.raises(InvalidCode) as caught:
        validate_packing_group(code)

    assert caught.value.kind == "packing group"
    assert "I, II or III" in caught.value.rule
