"""An incident's grade, from the thresholds of the State Council's Regulations on the
Reporting, Investigation and Handling of Production Safety Accidents (Decree No. 493, 2007),
art. 3:

  (1) particularly serious: 30 or more deaths, or 100 or more serious injuries (acute
      industrial poisoning included), or a direct economic loss of 100 million yuan or more;
  (2) major: 10 or more but fewer than 30 deaths, or 50 or more but fewer than 100 serious
      injuries, or 50 million or more but less than 100 million yuan;
  (3) larger: 3 or more but fewer than 10 deaths, or 10 or more but fewer than 50 serious
      injuries, or 10 million or more but less than 50 million yuan;
  (4) general: fewer than 3 deaths, fewer than 10 serious injuries and less than 10 million
      yuan.

"Or more" includes the number, "fewer than" excludes it (art. 3, last paragraph). The grade is
the highest any criterion reaches; the rule that decided it names that criterion.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from liaison.db.incident_models import IncidentGrade

DECREE = "Decree No. 493"


@dataclass(frozen=True)
class Threshold:
    grade: IncidentGrade
    article: str  # the paragraph of art. 3 that defines the grade
    deaths: int
    serious_injuries: int
    direct_loss: Decimal  # yuan


# Most serious first: the first threshold any criterion reaches decides.
THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(IncidentGrade.PARTICULARLY_SERIOUS, "art. 3 (1)", 30, 100, Decimal(100_000_000)),
    Threshold(IncidentGrade.MAJOR, "art. 3 (2)", 10, 50, Decimal(50_000_000)),
    Threshold(IncidentGrade.LARGER, "art. 3 (3)", 3, 10, Decimal(10_000_000)),
)
GENERAL_ARTICLE = "art. 3 (4)"

# The order in which the rule names criteria when several reach the same grade.
_CRITERIA = (
    ("deaths", "deaths"),
    ("serious_injuries", "serious injuries"),
    ("direct_loss", "direct economic loss"),
)


@dataclass(frozen=True)
class Grading:
    grade: IncidentGrade
    rule: str  # e.g. "deaths 12 ≥ 10: major (Decree No. 493, art. 3 (2))"


def _amount(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return f"{text} yuan"
    return str(value)


def _label(grade: IncidentGrade) -> str:
    return grade.value.replace("_", " ")


def grade_incident(*, deaths: int, serious_injuries: int, direct_loss: Decimal) -> Grading:
    """Callers validate the figures first: none is negative."""
    figures: dict[str, int | Decimal] = {
        "deaths": deaths,
        "serious_injuries": serious_injuries,
        "direct_loss": direct_loss,
    }
    for threshold in THRESHOLDS:
        for key, label in _CRITERIA:
            bound: int | Decimal = getattr(threshold, key)
            if figures[key] >= bound:
                return Grading(
                    threshold.grade,
                    f"{label} {_amount(figures[key])} ≥ {_amount(bound)}: "
                    f"{_label(threshold.grade)} ({DECREE}, {threshold.article})",
                )
    lowest = THRESHOLDS[-1]
    below = ", ".join(
        f"{label} {_amount(figures[key])} < {_amount(getattr(lowest, key))}"
        for key, label in _CRITERIA
    )
    return Grading(IncidentGrade.GENERAL, f"{below}: general ({DECREE}, {GENERAL_ARTICLE})")


_RANK = {grade: rank for rank, grade in enumerate(IncidentGrade)}


def at_least(grade: str, minimum: str) -> bool:
    """Whether an incident of ``grade`` reaches a roster entry's ``minimum`` grade."""
    return _RANK[IncidentGrade(grade)] >= _RANK[IncidentGrade(minimum)]
