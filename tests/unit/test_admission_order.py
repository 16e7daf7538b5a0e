"""Admission: at most N operations of a process execute at once; the others wait their
turn in the order they came, and each place is given back however its operation ends."""

from __future__ import annotations

import asyncio

import pytest

from liaison.api.admission import Admission


async def _enter(admission: Admission, name: str, log: list[str], leave: asyncio.Event) -> None:
    async with admission.admitted():
        log.append(name)
        await leave.wait()


async def test_beyond_the_limit_operations_wait_and_enter_in_the_order_they_came() -> None:
    admission = Admission(2)
    log: list[str] = []
    leave = {name: asyncio.Event() for name in "abcd"}
    tasks = [asyncio.create_task(_enter(admission, n, log, leave[n])) for n in "abcd"]
    await asyncio.sleep(0.05)
    assert log == ["a", "b"]

    leave["b"].set()
    await asyncio.sleep(0.05)
    assert log == ["a", "b", "c"]
    leave["a"].set()
    await asyncio.sleep(0.05)
    assert log == ["a", "b", "c", "d"]
    for event in leave.values():
        event.set()
    await asyncio.gather(*tasks)


async def test_a_place_is_given_back_when_its_operation_fails() -> None:
    admission = Admission(1)
    with pytest.raises(RuntimeError):
        async with admission.admitted():
            raise RuntimeError("the operation failed")
    entered = False
    async with asyncio.timeout(1), admission.admitted():
        entered = True
    assert entered


async def test_zero_admits_everything_at_once() -> None:
    admission = Admission(0)
    log: list[str] = []
    leave = asyncio.Event()
    tasks = [asyncio.create_task(_enter(admission, str(n), log, leave)) for n in range(50)]
    await asyncio.sleep(0.05)
    assert len(log) == 50
    leave.set()
    await asyncio.gather(*tasks)
