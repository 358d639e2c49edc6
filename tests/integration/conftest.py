"""Fixtures for integration tests against a real Synapse homeserver.

Needed pytest ini options (``[tool.pytest.ini_options]`` in pyproject.toml, already there):
    asyncio_mode = "auto"
    asyncio_default_fixture_loop_scope = "function"
    asyncio_default_test_loop_scope = "function"   # the default
Or on the command line: -o asyncio_mode=auto -o asyncio_default_fixture_loop_scope=function
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import Protocol

import pytest
import pytest_asyncio
from nio import AsyncClient, AsyncClientConfig, LoginResponse

from .element_member import ElementMember, ensure_node_modules
from .helpers import MEMBER_PASSWORD, MakeMember, member_client
from .kring_process import KringProcess
from .synapse_server import SynapseServer

_HERE = Path(__file__).parent
_member_ids = itertools.count(1)
_element_runs = itertools.count(1)
_ELEMENT_MEMBERS = pytest.StashKey[list[ElementMember]]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``integration`` marker."""
    config.addinivalue_line("markers", "integration: needs a real Synapse homeserver (tests/integration)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test below this directory as ``integration`` (select with ``-m integration``)."""
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """Run one Synapse for the whole session; users and rooms accumulate, so use unique names."""
    server = SynapseServer(tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def make_member(synapse: SynapseServer) -> AsyncIterator[MakeMember]:
    """Yield a factory: ``await make_member("alice")`` registers ``@alice-N:localhost`` and logs it in.

    The password is ``MEMBER_PASSWORD``; the clients are closed at teardown.
    """
    clients: list[AsyncClient] = []

    async def make(localpart: str, config: AsyncClientConfig | None = None) -> AsyncClient:
        unique = f"{localpart}-{next(_member_ids)}"
        user_id = await asyncio.to_thread(synapse.register_user, unique, MEMBER_PASSWORD)
        client = member_client(synapse, user_id, config)
        clients.append(client)
        response = await client.login(MEMBER_PASSWORD, device_name=f"test-{localpart}")
        assert isinstance(response, LoginResponse), response
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Show the log of each Element member of a failed test."""
    report = yield
    if report.failed:
        for member in item.stash.get(_ELEMENT_MEMBERS, []):
            report.sections.append((f"Element member {member.name} ({member.log_path})", member.log_tail()))
    return report


@pytest.fixture(scope="session")
def element_runtime() -> None:
    """The Element member's Node packages: ``npm ci`` when node_modules is missing or older than the lock file."""
    took = ensure_node_modules()
    if took is not None:
        print(f"npm ci for the Element member took {took:.1f} s")


class MakeElementMembers(Protocol):
    """Signature of the ``element_members`` factory."""

    async def __call__(
        self, *names: str, user_id: str | None = None, password: str = ..., reset_cross_signing: bool = False
    ) -> list[ElementMember]: ...


@pytest_asyncio.fixture
async def element_members(
    synapse: SynapseServer, element_runtime: None, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[MakeElementMembers]:
    """Yield a factory: ``anna, bob = await element_members("anna", "bob")`` registers fresh accounts
    (``@el-anna-N:localhost``, password ``MEMBER_PASSWORD``) and logs each in as a cross-signed Element member;
    ``await element_members("anna-phone", user_id=anna_id)`` logs one into an existing account instead (with
    ``password`` when it is not ``MEMBER_PASSWORD``), which must have no cross-signing keys yet unless
    ``reset_cross_signing`` (see ``ElementMember.login``).

    Each member's Node log is ``tmp_path/element-….log``, shown when the test fails; all are closed at teardown.
    """
    members = request.node.stash.setdefault(_ELEMENT_MEMBERS, [])

    async def make(
        *names: str, user_id: str | None = None, password: str = MEMBER_PASSWORD, reset_cross_signing: bool = False
    ) -> list[ElementMember]:
        if user_id is not None and len(names) != 1:
            raise ValueError("an existing account takes exactly one name")
        run = next(_element_runs)  # one Synapse serves the whole session: each call registers its own accounts
        made: list[ElementMember] = []
        for name in names:
            localpart = f"el-{name}-{run}"
            if user_id is None:
                account = await asyncio.to_thread(synapse.register_user, localpart, MEMBER_PASSWORD)
            else:
                account = user_id
            member = await ElementMember.start(name, tmp_path / f"element-{localpart}.log")
            members.append(member)
            await member.login(
                synapse.url, account, password, f"element-{name}", reset_cross_signing=reset_cross_signing
            )
            made.append(member)
        return made

    yield make
    for member in members:
        await member.close()


@pytest.fixture
def processes() -> Iterator[list[KringProcess]]:
    """Bot processes a test started: append each one; whatever still runs is killed at teardown."""
    started: list[KringProcess] = []
    yield started
    for process in started:
        process.kill()
