"""The README's examples as data: each request (a ``graphql`` block, or an ``sh`` block of
commands) marked by ``<!-- example: key=value ... -->`` on the line before it, and the
``json`` block that follows it (before any other code block) as what it answers.

The answer may leave things out, as a reader would expect: ``...`` (or ``…``) as a member
of an object means "and other members", as the last element of a list "and more elements",
and the string ``"…"`` stands for any one value (an id, a time, a token).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"

_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
_MARKER = re.compile(r"^\s*<!--\s*example:?(.*?)-->\s*$")


@dataclass(frozen=True)
class Example:
    line: int  # of the request's opening fence, 1-based
    language: str
    code: str
    attributes: dict[str, str]
    expected: str | None = None
    expected_language: str = "json"  # or "text": lines, "…" standing for any text

    @property
    def name(self) -> str:
        return f"README.md:{self.line}"


@dataclass
class Block:
    line: int
    language: str
    code: str
    marker: dict[str, str] | None = field(default=None)


def code_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = text.splitlines()
    pending: dict[str, str] | None = None
    n = 0
    while n < len(lines):
        marker = _MARKER.match(lines[n])
        if marker:
            pending = dict(pair.split("=", 1) for pair in shlex.split(marker.group(1)))
            n += 1
            continue
        fence = _FENCE.match(lines[n])
        if not fence:
            n += 1
            continue
        indent, language = fence.groups()
        start, body = n, []
        n += 1
        while n < len(lines) and not _FENCE.match(lines[n]):
            body.append(lines[n][len(indent) :] if lines[n].startswith(indent) else lines[n])
            n += 1
        blocks.append(Block(start + 1, language, "\n".join(body), pending))
        pending = None
        n += 1
    return blocks


def examples(text: str | None = None) -> list[Example]:
    blocks = code_blocks(README.read_text() if text is None else text)
    found = []
    for at, block in enumerate(blocks):
        if block.marker is None:
            continue
        following = blocks[at + 1] if at + 1 < len(blocks) else None
        expected, kind = None, "json"
        if (
            following is not None
            and following.language in ("json", "text")
            and following.marker is None
        ):
            expected, kind = following.code, following.language
        found.append(Example(block.line, block.language, block.code, block.marker, expected, kind))
    return found


def runnable_but_unmarked(text: str | None = None) -> list[Block]:
    """Blocks a reader would run against the server that no marker makes the test run."""
    return [
        b
        for b in code_blocks(README.read_text() if text is None else text)
        if b.marker is None
        and (b.language == "graphql" or (b.language == "sh" and "curl " in b.code))
    ]


# --- answers with gaps ---------------------------------------------------------------------


class MORE:
    """Stands for members or elements left out."""


ANY = "…"


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def fail(self, what: str) -> ValueError:
        return ValueError(f"{what} at offset {self.at}: {self.text[self.at : self.at + 30]!r}")

    def space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in " \t\r\n":
            self.at += 1

    def gap(self) -> bool:
        self.space()
        for mark in ("...", "…"):
            if self.text.startswith(mark, self.at):
                self.at += len(mark)
                return True
        return False

    def value(self) -> Any:
        self.space()
        char = self.text[self.at : self.at + 1]
        if char == "{":
            return self.members()
        if char == "[":
            return self.elements()
        return self.scalar()

    def members(self) -> dict[str, Any]:
        self.at += 1
        found: dict[str, Any] = {}
        while True:
            self.space()
            if self.text.startswith("}", self.at):
                self.at += 1
                return found
            if self.gap():
                found[MORE.__name__] = MORE
            else:
                key = self.scalar()
                self.space()
                if not self.text.startswith(":", self.at):
                    raise self.fail("expected ':'")
                self.at += 1
                found[key] = self.value()
            self.space()
            if self.text.startswith(",", self.at):
                self.at += 1

    def elements(self) -> list[Any]:
        self.at += 1
        found: list[Any] = []
        while True:
            self.space()
            if self.text.startswith("]", self.at):
                self.at += 1
                return found
            found.append(MORE if self.gap() else self.value())
            self.space()
            if self.text.startswith(",", self.at):
                self.at += 1

    def scalar(self) -> Any:
        import json

        decoder = json.JSONDecoder()
        try:
            value, end = decoder.raw_decode(self.text, self.at)
        except ValueError:
            raise self.fail("expected a JSON value") from None
        self.at = end
        return value


def parse_with_gaps(text: str) -> list[Any]:
    """Every top-level value of ``text`` (several answers may follow one another)."""
    reader = _Reader(text)
    values = []
    while True:
        reader.space()
        if reader.at >= len(text):
            return values
        values.append(reader.value())


def mismatches(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where ``actual`` differs from what ``expected`` shows (empty: it matches)."""
    if expected == ANY:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        open_ended = MORE.__name__ in expected
        shown = {k: v for k, v in expected.items() if k != MORE.__name__}
        problems = [f"{path}.{k}: missing" for k in shown if k not in actual]
        if not open_ended:
            problems += [f"{path}.{k}: not shown in the README" for k in actual if k not in shown]
        for key, value in shown.items():
            if key in actual:
                problems += mismatches(value, actual[key], f"{path}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {actual!r}"]
        open_ended = bool(expected) and expected[-1] is MORE
        shown = expected[:-1] if open_ended else expected
        if len(actual) < len(shown) or (not open_ended and len(actual) != len(shown)):
            return [f"{path}: {len(actual)} element(s), the README shows {len(shown)}"]
        problems = []
        for n, value in enumerate(shown):
            problems += mismatches(value, actual[n], f"{path}[{n}]")
        return problems
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: README shows {expected!r}, the demo answers {actual!r}"]
    return []


def text_mismatches(expected: str, actual: str) -> list[str]:
    """Line by line; in an expected line "…" stands for any text (a hash, a time, a path)."""
    shown, printed = expected.strip("\n").splitlines(), actual.strip("\n").splitlines()
    if len(shown) != len(printed):
        return [f"{len(printed)} line(s) printed, the README shows {len(shown)}"]
    problems = []
    for n, (pattern, line) in enumerate(zip(shown, printed, strict=True), start=1):
        regex = ".*".join(re.escape(part) for part in pattern.split("…"))
        if not re.fullmatch(regex, line):
            problems.append(f"line {n}: README shows {pattern!r}, printed {line!r}")
    return problems
