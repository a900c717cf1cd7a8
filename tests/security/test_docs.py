"""docs/security.md lists every case with its outcome; the table is generated, never edited."""

from __future__ import annotations

from pathlib import Path

from tests.security.cases import (
    BROWSER_ONLY_CASES,
    CASES,
    FAULT_CASES,
    TABLE_BEGIN,
    TABLE_END,
    render_table,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_case_table_in_docs_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(TABLE_BEGIN)
    end = text.index(TABLE_END) + len(TABLE_END)
    assert text[start:end] == render_table(), (
        "docs/security.md is out of date: paste the output of `python -m tests.security.cases`"
    )


def test_every_case_id_is_in_docs() -> None:
    text = DOC.read_text(encoding="utf-8")
    for case_id in [case.id for case in CASES] + list(BROWSER_ONLY_CASES) + list(FAULT_CASES):
        assert f"`{case_id}`" in text, case_id


def test_threat_model_sections_are_there() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading in (
        "## An XSS attacker",
        "## Why `'unsafe-eval'` is in the CSP",
        "## What the `localStorage` hint reveals",
        "## Third-party cookies",
        "## Wall-clock jumps",
    ):
        assert heading in text, heading
