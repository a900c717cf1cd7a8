"""One app server process for bench/serverload.py (run as a subprocess, own core time).

    python bench/serve_target.py ours|static APP_DIR STATIC_DIR PORT

``ours``: brython_oidc's ``create_app`` for APP_DIR. ``static``: a plain Starlette
``StaticFiles`` app over STATIC_DIR (the same index.html and bundle written out),
the baseline any Starlette user would start from.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402

from brython_oidc.server import create_app  # noqa: E402


def main(kind: str, app_dir: str, static_dir: str, port: int) -> None:
    if kind == "ours":
        app = create_app(app_dir)
    else:
        app = Starlette(routes=[Mount("/", StaticFiles(directory=static_dir, html=True))])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
