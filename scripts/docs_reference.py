"""Rewrite the generated sections of docs/reference/{cli,config,errors}.md from the code.

    python scripts/docs_reference.py

Run it after changing the CLI's options, a ``ClientConfig`` field or an error class
(``tests/docs/test_reference_pages.py`` says when), and commit the pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docs_hooks.reference import PAGES, write_pages


def main() -> None:
    changed = write_pages()
    for page in PAGES:
        print(f"{page}: {'updated' if page in changed else 'unchanged'}")


if __name__ == "__main__":
    main()
