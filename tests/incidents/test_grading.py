"""An incident's grade under the State Council's Decree No. 493, art. 3: every boundary as
the decree draws it ("or more" includes the number, "fewer than" excludes it), the highest
grade any criterion reaches, and the rule that decided it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from liaison.db.incident_grading import THRESHOLDS, at_least, grade_incident
from liaison.db.incident_models import IncidentGrade as G

ZERO = Decimal(0)


@pytest.mark.parametrize(
    ("deaths", "grade"),
    [
        (0, G.GENERAL),
        (2, G.GENERAL),
        (3, G.LARGER),
        (9, G.LARGER),
        (10, G.MAJOR),
        (29, G.MAJOR),
        (30, G.PARTICULARLY_SERIOUS),
        (31, G.PARTICULARLY_SERIOUS),
    ],
)
def test_deaths_grade_at_3_10_and_30(deaths: int, grade: G) -> None:
    assert grade_incident(deaths=deaths, serious_injuries=0, direct_loss=ZERO).grade is grade


@pytest.mark.parametrize(
    ("injuries", "grade"),
    [
        (9, G.GENERAL),
        (10, G.LARGER),
        (49, G.LARGER),
        (50, G.MAJOR),
        (99, G.MAJOR),
        (100, G.PARTICULARLY_SERIOUS),
    ],
)
def test_serious_injuries_grade_at_10_50_and_100(injuries: int, grade: G) -> None:
    assert grade_incident(deaths=0, serious_injuries=injuries, direct_loss=ZERO).grade is grade


@pytest.mark.parametrize(
    ("loss", "grade"),
    [
        ("9999999.99", G.GENERAL),
        ("10000000", G.LARGER),
        ("49999999.99", G.LARGER),
        ("50000000", G.MAJOR),
        ("99999999.99", G.MAJOR),
        ("100000000", G.PARTICULARLY_SERIOUS),
    ],
)
def test_direct_loss_grades_at_10_50_and_100_million_yuan(loss: str, grade: G) -> None:
    found = grade_incident(deaths=0, serious_injuries=0, direct_loss=Decimal(loss))
    assert found.grade is grade


def test_the_grade_is_the_highest_any_criterion_reaches_and_the_rule_names_that_one() -> None:
    found = grade_incident(deaths=4, serious_injuries=60, direct_loss=Decimal("12000000"))

    assert found.grade is G.MAJOR
    assert found.rule == "serious injuries 60 ≥ 50: major (Decree No. 493, art. 3 (2))"


def test_the_rule_quotes_the_criterion_and_threshold_as_the_brief_shows() -> None:
    found = grade_incident(deaths=12, serious_injuries=0, direct_loss=ZERO)

    assert found.rule == "deaths 12 ≥ 10: major (Decree No. 493, art. 3 (2))"


def test_deaths_decide_before_injuries_and_loss_when_all_reach_the_same_grade() -> None:
    found = grade_incident(deaths=30, serious_injuries=100, direct_loss=Decimal("2e8"))

    assert found.rule == "deaths 30 ≥ 30: particularly serious (Decree No. 493, art. 3 (1))"


def test_a_loss_rule_states_yuan() -> None:
    found = grade_incident(deaths=0, serious_injuries=0, direct_loss=Decimal("60000000.50"))

    assert found.rule == (
        "direct economic loss 60000000.5 yuan ≥ 50000000 yuan: major (Decree No. 493, art. 3 (2))"
    )


def test_a_general_incident_names_every_criterion_below_its_threshold() -> None:
    found = grade_incident(deaths=2, serious_injuries=9, direct_loss=Decimal("9999999.99"))

    assert found.grade is G.GENERAL
    assert found.rule == (
        "deaths 2 < 3, serious injuries 9 < 10, direct economic loss 9999999.99 yuan "
        "< 10000000 yuan: general (Decree No. 493, art. 3 (4))"
    )


def test_the_thresholds_cite_the_decree_paragraph_of_each_grade() -> None:
    stated = [(t.grade, t.article, t.deaths, t.serious_injuries, t.direct_loss) for t in THRESHOLDS]
    assert stated == [
        (G.PARTICULARLY_SERIOUS, "art. 3 (1)", 30, 100, Decimal(100_000_000)),
        (G.MAJOR, "art. 3 (2)", 10, 50, Decimal(50_000_000)),
        (G.LARGER, "art. 3 (3)", 3, 10, Decimal(10_000_000)),
    ]


@pytest.mark.parametrize(
    ("grade", "minimum", "reached"),
    [
        ("general", "general", True),
        ("general", "larger", False),
        ("larger", "general", True),
        ("major", "larger", True),
        ("major", "particularly_serious", False),
        ("particularly_serious", "major", True),
    ],
)
def test_a_roster_entry_calls_for_incidents_of_at_least_its_grade(
    grade: str, minimum: str, reached: bool
) -> None:
    assert at_least(grade, minimum) is reached
