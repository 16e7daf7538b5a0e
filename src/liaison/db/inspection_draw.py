""" "Double random, one public": the weighted draw of targets (and of inspectors), made so
that anyone holding the draw's record can re-run it and get the same list.

The recipe, which :func:`draw` is and ``verifyJointInspectionDraw`` re-runs:
seed Python's ``random.Random`` with the recorded seed (a string: seeded through SHA-512,
the same on every Python 3 and machine); take the recorded pool in its recorded order
(targets by USCC, inspectors by badge), each member with an integer weight; then, for each
pick, ``r = rng.randrange(total weight of the members left)`` and take the first member
whose running sum of weights exceeds ``r``, removing it from the pool.

Weights are counted in halves, so they stay integers (2 = weight 1.0). A target's weight
is its risk as far as the drawing department may see it, read through the gate:

- base 2;
- each open hidden danger (a risk not closed) +2, one whose status is withheld +1;
- its worst visible credit grade: seriously dishonest/untrustworthy +4, dishonest or
  untrustworthy +2, routine grades +1, certified grades 0; none visible (or withheld) +1;
- its safety grade, the latest visible: A 0, B 1, C 3, D 4 under enterprise supervision
  (park risk grading reads the letters the other way round); none visible +2.

An unknown value (withheld, or none shared) weighs the middle of its range: nothing is
decided on a value the drawer may not see, and an enterprise is neither spared nor singled
out because another department keeps its data to itself.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BASE = 2
OPEN_DANGER = 2
UNKNOWN_DANGER = 1
UNKNOWN_CREDIT = 1
UNKNOWN_SAFETY = 2
_SAFETY = {"A": 0, "B": 1, "C": 3, "D": 4}


def credit_weight(grades: Iterable[str | None]) -> int:
    """The worst of the visible grades; ``UNKNOWN_CREDIT`` when none is visible."""
    weights = [_credit(grade) for grade in grades if grade is not None]
    return max(weights) if weights else UNKNOWN_CREDIT


def _credit(grade: str) -> int:
    if "seriously" in grade:
        return 4
    if "dishonest" in grade or "untrustworthy" in grade:
        return 2
    if "certified" in grade:
        return 0
    return 1


def safety_weight(scheme: str | None, grade: str | None) -> int:
    if scheme is None or grade not in _SAFETY:
        return UNKNOWN_SAFETY
    weight = _SAFETY[grade]
    return 4 - weight if scheme == "park_risk" else weight


def danger_weight(statuses: Iterable[str | None]) -> int:
    return sum(
        UNKNOWN_DANGER if status is None else OPEN_DANGER if status != "closed" else 0
        for status in statuses
    )


@dataclass(frozen=True, slots=True)
class Member:
    key: str
    weight: int


def draw(pool: Sequence[Member], count: int, seed: str) -> list[str]:
    """``count`` keys of ``pool`` (fewer if it is smaller), by the recipe above."""
    rng = random.Random(seed)
    left = [m for m in pool if m.weight > 0]
    picked: list[str] = []
    while left and len(picked) < count:
        at = rng.randrange(sum(m.weight for m in left))
        for n, member in enumerate(left):
            if at < member.weight:
                picked.append(member.key)
                del left[n]
                break
            at -= member.weight
    return picked


def members(stored: Sequence[Sequence[object]]) -> list[Member]:
    """A recorded pool ([[key, weight], ...]) as members."""
    return [Member(str(key), int(str(weight))) for key, weight in stored]
