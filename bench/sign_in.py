"""The sign-in round trip alone: ours, oidc-client-ts's page, and the floor.

The same runs as ``compare.py``'s sign-in rows (``pageload.sign_in_figures``: one
browser per page, the pages taking turns run by run), without the rest of that
run, so more runs fit in a few minutes. Prints figures, asserts nothing.

- **peer**: the oidc-client-ts page (``bench/peer/``);
- **floor**: the same page with brython.js loaded and three lines of Python
  rendering it, the protocol still done in JavaScript: what any page rendered
  by Brython takes, so its ratio is the least a Brython page can reach;
- **ours**: ``bench/ours_app/`` served by ``create_app``.

    npm ci --prefix bench/peer && npm ci --prefix tests/interop
    python bench/sign_in.py [--runs 50] [--latency 0] [--provider dev|node]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Measure this checkout's code, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import pageload, report, rig

PAGES = {"peer": "peer-login", "floor": "floor-login", "ours": "ours-login"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="sign-ins per page")
    parser.add_argument("--latency", type=float, default=0, help="emulated ms per request")
    parser.add_argument("--provider", choices=sorted(rig.PROVIDERS), default="dev")
    args = parser.parse_args()
    origins = rig.Origins()
    with rig.PROVIDERS[args.provider](origins) as idp, rig.pages(idp, origins):
        urls = {name: origins.url(page) for name, page in PAGES.items()}
        figures = pageload.sign_in_figures(urls, args.runs, args.latency)
    peer = figures["peer"]
    where = f"{args.latency:g} ms latency" if args.latency else "loopback"
    print(f"sign-in, click → signed-in page, {args.provider} provider, {where}, {args.runs} runs")
    print(f"{'page':6} {'median':>9} {'× peer':>7} {'run by run (middle half)':>26}")
    for name in PAGES:
        line = f"{name:6} {figures[name]:7.0f} ms {figures[name] / peer:6.2f}×"
        if name in figures.get("paired", {}):
            q1, median, q3 = figures["paired"][name]
            line += f" {median:8.2f}× ({q1:.2f}–{q3:.2f}×)"
        print(line)
    print(
        f"target {report.SIGN_IN_TARGET}× = {report.SIGN_IN_TARGET * peer:.0f} ms; the floor is "
        f"{figures['floor'] - report.SIGN_IN_TARGET * peer:+.0f} ms from it, ours "
        f"{figures['ours'] - figures['floor']:+.0f} ms over the floor"
    )


if __name__ == "__main__":
    main()
