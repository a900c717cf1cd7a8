from __future__ import annotations

import logging

import pytest

from brython_oidc.server.logs import RedactSecrets, redact_url, uvicorn_log_config


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "/?code=abc&state=xyz&iss=http%3A%2F%2Fop",
            "/?code=[redacted]&state=[redacted]&iss=http%3A%2F%2Fop",
        ),
        (
            "/logout?id_token_hint=eyJ.x.y&client_id=spa",
            "/logout?id_token_hint=[redacted]&client_id=spa",
        ),
        ("/profile/42", "/profile/42"),
        ("/?codex=1&code", "/?codex=1&code"),
        ("/cb#code=abc&x=1", "/cb#code=[redacted]&x=1"),
    ],
)
def test_redact_url(target: str, expected: str) -> None:
    assert redact_url(target) == expected


def test_filter_rewrites_uvicorn_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/?code=SECRET&state=S", "1.1", 200), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record)
    assert "SECRET" not in record.getMessage()
    assert "code=[redacted]" in record.getMessage()


def test_uvicorn_config_attaches_the_filter() -> None:
    config = uvicorn_log_config()
    assert config["handlers"]["access"]["filters"] == ["redact_secrets"]
    logging.config.dictConfig(config)
    handler = next(h for h in logging.getLogger("uvicorn.access").handlers)
    assert any(isinstance(f, RedactSecrets) for f in handler.filters)


def test_our_warnings_go_to_the_terminal_under_uvicorn() -> None:
    # devidp refusals and modules left out of the bundle (issue 23, issue 24).
    logger = uvicorn_log_config()["loggers"]["brython_oidc"]
    assert logger["handlers"] == ["default"] and logger.get("propagate", True)
