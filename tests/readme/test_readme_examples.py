"""Every example in the README runs against a fresh demo exactly as printed, and answers
what the README shows (see readme_examples for how an answer may leave things out).

One real ``liaison serve`` process on a demo database of its own (SQLite; a scratch
PostgreSQL database when the suite runs on PostgreSQL); the examples run in README order,
since mutations change what later examples see; ``sh`` blocks run in bash as written, with
only the port changed; ``graphql`` blocks are posted with a token for the principal their
marker names."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from readme_examples import (
    Example,
    examples,
    mismatches,
    parse_with_gaps,
    runnable_but_unmarked,
    text_mismatches,
)
from sqlalchemy.engine import make_url

from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from live_process import ROOT, Served, environment_for, serving_process
from live_server import free_port

EXAMPLES = examples()


@dataclass(frozen=True)
class Answer:
    values: list[Any]
    transcript: str
    printed: str = ""  # what an sh block wrote to standard output


def _scratch_postgresql() -> tuple[str, str] | None:
    """(URL of a fresh database for the demo, admin URL) when the suite runs on PostgreSQL."""
    given = os.environ.get("LIAISON_TEST_DATABASE_URL", "")
    if not given.startswith("postgresql"):
        return None
    url = make_url(given)
    scratch = url.set(database=f"{url.database}_readme")
    admin = url.set(drivername="postgresql")
    return scratch.render_as_string(hide_password=False), admin.render_as_string(
        hide_password=False
    )


async def _recreate(admin_url: str, name: str, *, create: bool) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("readme-demo")
    postgresql = _scratch_postgresql()
    database_url = None
    if postgresql is not None:
        database_url, admin = postgresql
        name = make_url(database_url).database or ""
        asyncio.run(_recreate(admin, name, create=True))
    environment = environment_for(data_dir, database_url)
    environment["LIAISON_README_STATE"] = str(data_dir / "shell-variables")
    port = free_port()
    environment["LIAISON_CONSOLE_REDIRECT_URIS"] = f"http://127.0.0.1:{port}/console/callback"
    try:
        with serving_process(["liaison", "serve", "--demo"], environment, port=port) as served:
            yield served
    finally:
        if postgresql is not None:
            asyncio.run(_recreate(postgresql[1], name, create=False))


def _on_port(text: str, port: int) -> str:
    return text.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace(
        "127.0.0.1%3A8000", f"127.0.0.1%3A{port}"
    )


# One terminal for the whole README: variables a block sets are there in the next ones.
_KEEP_VARIABLES = (
    "declare -p $(compgen -v | grep -E '^[A-Z][A-Z0-9_]*$') 2>/dev/null"
    " | grep -vE '^declare -[a-zA-Z]*r' > \"$LIAISON_README_STATE\" || true"
)


def _run_shell(example: Example, served: Served) -> Answer:
    script = _on_port(example.code, served.port)
    state = served.environment["LIAISON_README_STATE"]
    whole = f'[ -f "{state}" ] && source "{state}"\n{script}\n{_KEEP_VARIABLES}'
    finished = subprocess.run(
        ["/bin/bash", "-euo", "pipefail", "-c", whole],
        cwd=ROOT,
        env=served.environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    transcript = f"$ {script}\n{finished.stdout}{finished.stderr}"
    assert finished.returncode == 0, transcript
    if example.expected_language == "text":
        return Answer([], transcript, finished.stdout)
    decoder, values, at = json.JSONDecoder(), [], 0
    text = finished.stdout
    while (at := _skip_space(text, at)) < len(text):
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return Answer(values, transcript, finished.stdout)


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _run_graphql(example: Example, served: Served) -> Answer:
    attributes = example.attributes
    keys = SigningKeys.load_or_create(Path(served.environment["LIAISON_DATA_DIR"]))
    bearer = mint_access_token(
        keys,
        issuer="urn:liaison:local",
        audience="urn:liaison:api",
        subject=f"{attributes['department']}-demo",  # as `liaison token` names it
        department=attributes["department"],
        roles=attributes.get("roles", "reader").split(","),
        client_id="liaison-cli",
        lifetime_seconds=600,
    )
    headers = {"Authorization": f"Bearer {bearer}"}
    for header, key in (("Liaison-Purpose", "purpose"), ("Liaison-Case", "case")):
        if key in attributes:
            headers[header] = attributes[key]
    response = httpx.post(
        f"{served.url}/graphql", json={"query": example.code}, headers=headers, timeout=30
    )
    return Answer([response.json()], f"{example.code}\n{response.text}")


@pytest.fixture(scope="module")
def answers(demo: Served) -> dict[int, Answer]:
    """Every example's answer, run once in README order."""
    found = {}
    for example in EXAMPLES:
        run = _run_shell if example.language == "sh" else _run_graphql
        found[example.line] = run(example, demo)
    return found


def test_every_example_a_reader_would_run_is_checked() -> None:
    unmarked = [f"README.md:{b.line} ({b.language})" for b in runnable_but_unmarked()]

    assert unmarked == []
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_the_example_answers_what_the_readme_shows(
    example: Example, answers: dict[int, Answer]
) -> None:
    assert example.expected is not None, f"{example.name}: show what it answers"
    answer = answers[example.line]
    if example.expected_language == "text":
        assert text_mismatches(example.expected, answer.printed) == [], answer.transcript
        return
    expected = parse_with_gaps(example.expected)

    assert len(answer.values) == len(expected), answer.transcript
    problems = [
        problem
        for shown, actual in zip(expected, answer.values, strict=True)
        for problem in mismatches(shown, actual)
    ]
    assert problems == [], answer.transcript
