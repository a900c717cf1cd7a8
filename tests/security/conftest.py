"""Fixtures of the security suite: one hostile provider per module, honest between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.hostile import HostileProvider, RunningHostileProvider


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[RunningHostileProvider]:
    with RunningHostileProvider() as server:
        yield server


@pytest.fixture
def hostile(hostile_server: RunningHostileProvider) -> Iterator[HostileProvider]:
    """The provider, reset to honest after each test."""
    provider = hostile_server.provider
    provider.reset()
    yield provider
    provider.reset()
