"""The reference pages are committed with their generated sections (readable on GitHub)."""

from __future__ import annotations

from pathlib import Path

from docs_hooks.reference import MARKERS, PAGES, end_marker, fill, stale_pages

ROOT = Path(__file__).resolve().parents[2]


def test_committed_reference_pages_match_the_code() -> None:
    assert stale_pages() == [], "run: python scripts/docs_reference.py"


def test_every_page_has_its_section_filled_in() -> None:
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        marker = next(m for m in MARKERS if m in text)
        body = text.split(marker, 1)[1].split(end_marker(marker), 1)[0]
        assert len(body.strip().splitlines()) > 10, page


def test_fill_replaces_an_old_section_and_keeps_the_rest() -> None:
    marker = "<!-- error-types -->"
    page = f"intro\n\n{marker}\n\nan old table\n\n{end_marker(marker)}\n\noutro\n"
    filled = fill(page)
    assert "an old table" not in filled
    assert filled.startswith("intro\n") and filled.endswith("\noutro\n")
    assert fill(filled) == filled
