"""What an incident's mutations take, and the checks that turn it into field-level errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from liaison.codes import validate_cas, validate_un_number
from liaison.db.incidents import Chemical, Figures, TeamMember
from liaison.schema.mutations import Problems
from liaison.schema.scalars import Amount


@strawberry.input
class IncidentChemicalInput:
    chemical_name: str
    cas_number: str
    un_number: str


@strawberry.input(description="Casualty and loss figures as reported so far.")
class IncidentFiguresInput:
    deaths: int
    serious_injuries: int
    evacuated: int
    direct_loss: Amount


@strawberry.input
class OpenIncidentInput:
    uscc: str
    occurred_at: dt.datetime
    location: str
    description: str
    figures: IncidentFiguresInput
    chemicals: list[IncidentChemicalInput] = strawberry.field(default_factory=list)


@strawberry.input
class ReviseIncidentFiguresInput:
    id: strawberry.ID
    figures: IncidentFiguresInput


@strawberry.input
class TeamMemberInput:
    name: str
    role: str
    phone: str


@strawberry.input
class AcknowledgeIncidentInput:
    id: strawberry.ID
    team: list[TeamMemberInput]


@strawberry.input
class CloseIncidentInput:
    id: strawberry.ID
    closed_at: dt.datetime | None = None


def figures_of(problems: Problems, given: IncidentFiguresInput) -> Figures:
    for name, value in (
        ("deaths", given.deaths),
        ("seriousInjuries", given.serious_injuries),
        ("evacuated", given.evacuated),
    ):
        if value < 0:
            problems.add(f"figures.{name}", "non_negative", f"{name} must not be negative")
    loss = Decimal(given.direct_loss)
    if not loss.is_finite() or loss < 0:
        problems.add("figures.directLoss", "non_negative", "directLoss must not be negative")
    elif loss >= Decimal("1e14"):
        problems.add("figures.directLoss", "range", "directLoss must be below 10^14 yuan")
    return Figures(given.deaths, given.serious_injuries, given.evacuated, loss)


def chemicals_of(problems: Problems, given: list[IncidentChemicalInput]) -> list[Chemical]:
    found = []
    for n, chemical in enumerate(given):
        at = f"chemicals[{n}]"
        found.append(
            Chemical(
                name=problems.text(f"{at}.chemicalName", chemical.chemical_name, max_length=200),
                cas_number=problems.code(f"{at}.casNumber", validate_cas, chemical.cas_number),
                un_number=problems.code(f"{at}.unNumber", validate_un_number, chemical.un_number),
            )
        )
    return found


def team_of(problems: Problems, given: list[TeamMemberInput]) -> list[TeamMember]:
    if not given:
        problems.add("team", "required", "a response team needs at least one person")
    team = []
    for n, member in enumerate(given):
        at = f"team[{n}]"
        phone = problems.text(f"{at}.phone", member.phone, max_length=32)
        if phone and not all(c.isdigit() or c in "+- " for c in phone):
            problems.add(f"{at}.phone", "phone", "phone must be digits, spaces, + and -")
        team.append(
            TeamMember(
                name=problems.text(f"{at}.name", member.name, max_length=100),
                role=problems.text(f"{at}.role", member.role, max_length=100),
                phone=phone,
            )
        )
    return team
