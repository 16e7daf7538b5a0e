"""``liaison departments``: departments added as data with their kind, level and parent,
listed, and at once able to sign in and read under the agreements that name them."""

from __future__ import annotations

import asyncio

import httpx
from click.testing import CliRunner, Result
from ledger_support import post

from liaison.api.cli import main
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from world import World


async def liaison(settings: Settings, *args: str) -> Result:
    """The ``liaison`` command in a worker thread (it runs its own event loop)."""
    command = [*args, "--database-url", settings.database_url]
    return await asyncio.to_thread(CliRunner().invoke, main, command)


async def test_departments_are_added_under_their_parent_and_listed(
    settings: Settings, world: World
) -> None:
    city = await liaison(
        settings,
        "departments",
        "add",
        "sh-ecology",
        "--name",
        "上海市生态环境局",
        "--kind",
        "ecology_environment",
        "--level",
        "city",
    )
    district = await liaison(
        settings,
        "departments",
        "add",
        "pd-ecology",
        "--name",
        "浦东新区生态环境局",
        "--kind",
        "ecology_environment",
        "--level",
        "district",
        "--parent",
        "sh-ecology",
    )
    listed = await liaison(settings, "departments", "list")

    assert (city.exit_code, city.output) == (
        0,
        "department sh-ecology added: ecology_environment, city\n",
    )
    assert district.output == (
        "department pd-ecology added: ecology_environment, district, under sh-ecology\n"
    )
    lines = listed.output.splitlines()
    assert "pd-ecology\tecology_environment\tdistrict\tsh-ecology\t浦东新区生态环境局" in lines
    assert "sh-ecology\tecology_environment\tcity\t-\t上海市生态环境局" in lines
    # The world's departments predate any place: listed without one.
    assert "customs\tcustoms\t-\t-\tcustoms department" in lines


async def test_a_taken_code_an_unknown_or_lower_parent_and_a_bad_code_are_refused(
    settings: Settings, world: World
) -> None:
    async def add(code: str, level: str, *parent: str) -> Result:
        return await liaison(
            settings,
            "departments",
            "add",
            code,
            "--name",
            "a department",
            "--kind",
            "park_committee",
            "--level",
            level,
            *parent,
        )

    await add("lingang-park", "park")
    answers = {
        "taken": await add("customs", "city"),
        "unknown parent": await add("town-1", "town", "--parent", "nowhere"),
        "parent below": await add("district-1", "district", "--parent", "lingang-park"),
        "bad code": await add("Bad Code", "town"),
    }
    listed = await liaison(settings, "departments", "list")

    assert {case: result.exit_code for case, result in answers.items()} == {
        "taken": 1,
        "unknown parent": 1,
        "parent below": 1,
        "bad code": 2,
    }
    assert "department 'customs' already exists" in answers["taken"].output
    assert "no department 'nowhere'" in answers["unknown parent"].output
    assert "a park department cannot be above a district one" in answers["parent below"].output
    assert [line.split("\t")[0] for line in listed.output.splitlines()] == [
        "customs",
        "ecology",
        "emergency",
        "lingang-park",
        "market",
        "park",
    ]


async def test_a_department_added_reads_at_once_and_sees_only_what_is_public(
    settings: Settings, world: World, http: httpx.AsyncClient, keys: SigningKeys
) -> None:
    await liaison(
        settings,
        "departments",
        "add",
        "fengxian-em",
        "--name",
        "奉贤区应急管理局",
        "--kind",
        "emergency_management",
        "--level",
        "district",
    )

    body = await post(
        http,
        keys,
        "{ me { department } enterprises(first: 1) { edges { node { uscc zone } } } }",
        department="fengxian-em",
        roles=("reader",),
        purpose="joint_inspection",
    )

    assert body["data"]["me"] == {"department": "fengxian-em"}
    assert body["data"]["enterprises"]["edges"][0]["node"]["zone"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
