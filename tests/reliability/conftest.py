"""Fixtures for the reliability tests: the integration fixtures, a Synapse of one's own, a loopback proxy,
and the figures each test reports (printed as a table at the end of the run, the source of docs/RELIABILITY.md).

Set `KRING_FIGURES=<file>` to also append each figure as a JSON line to that file.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from nio import AsyncClient

from tests.integration.conftest import make_member, processes, synapse
from tests.integration.synapse_server import SynapseServer

from .matrix_kit import MakeMemberOn, new_member
from .proxy import LoopbackProxy

__all__ = ["Figure", "Figures", "MakeProxy", "make_member", "processes", "synapse"]

_HERE = Path(__file__).parent
_FIGURES = pytest.StashKey[list["Figure"]]()
SYNAPSE_FIXTURES = {"synapse", "own_synapse"}


@dataclass(frozen=True)
class Figure:
    """One row of docs/RELIABILITY.md: what was injected, how often, and what came out."""

    test: str
    fault: str
    times: int
    sent: int
    counted: int
    lost: int
    duplicated: int
    command: str


class Figures:
    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    def record(
        self, fault: str, *, times: int, sent: int, counted: int, lost: int, duplicated: int, test: str = ""
    ) -> Figure:
        node = self._request.node
        long = " --long" if node.get_closest_marker("long") else ""
        figure = Figure(
            test=test or node.name,
            fault=fault,
            times=times,
            sent=sent,
            counted=counted,
            lost=lost,
            duplicated=duplicated,
            command=f'pytest "{node.nodeid}"{long} -p no:cacheprovider',
        )
        self._request.config.stash.setdefault(_FIGURES, []).append(figure)
        target = os.environ.get("KRING_FIGURES")
        if target:
            with Path(target).open("a", encoding="utf-8") as out:
                out.write(json.dumps(asdict(figure), ensure_ascii=False) + "\n")
        return figure


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    return Figures(request)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here is `reliability`; those that need Synapse are `integration` too."""
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.reliability)
            if SYNAPSE_FIXTURES & set(getattr(item, "fixturenames", ())):
                item.add_marker(pytest.mark.integration)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    rows = config.stash.get(_FIGURES, [])
    if not rows:
        return
    terminalreporter.section("reliability figures")
    terminalreporter.write_line("| test | injected fault | times | sent | counted | lost | duplicated |")
    terminalreporter.write_line("|---|---|---|---|---|---|---|")
    for row in rows:
        terminalreporter.write_line(
            f"| {row.test} | {row.fault} | {row.times} | {row.sent} | {row.counted} | {row.lost} | {row.duplicated} |"
        )


@pytest.fixture
def own_synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """A Synapse for one test alone, which it may stop, restart and reconfigure."""
    server = SynapseServer(tmp_path_factory.mktemp("own-synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


MakeProxy = Callable[[SynapseServer], Awaitable[LoopbackProxy]]


@pytest_asyncio.fixture
async def member_on() -> AsyncIterator[MakeMemberOn]:
    """`await member_on(server, "anna")`: a logged-in member of that Synapse; closed at teardown."""
    clients: list[AsyncClient] = []

    async def make(server: SynapseServer, localpart: str) -> AsyncClient:
        return await new_member(server, localpart, clients)

    yield make
    for client in clients:
        await client.close()


@pytest_asyncio.fixture
async def make_proxy() -> AsyncIterator[MakeProxy]:
    """`await make_proxy(server)`: a loopback proxy in front of that Synapse; closed at teardown."""
    made: list[LoopbackProxy] = []

    async def make(server: SynapseServer) -> LoopbackProxy:
        proxy = LoopbackProxy(server.port)
        await proxy.start()
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        await proxy.close()
