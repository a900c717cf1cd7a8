from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from brython_oidc.server import create_app
from tests.server.helpers import make_app


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return make_app(tmp_path / "myapp")


@pytest.fixture
def client(app_dir: Path) -> TestClient:
    return TestClient(create_app(app_dir), raise_server_exceptions=False)
