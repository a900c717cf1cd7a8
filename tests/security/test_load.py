"""A short run of bench/load.py: zero error responses, bounded memory growth.

Bounded in time (3 s of load after a 1 s warm-up) and in count; loopback only.
The figures are printed by ``python bench/load.py``; this only checks correctness
under concurrency (every request answered as expected) and that memory does not run
away (RSS growth under a generous bound, /proc/self/status).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.load import run_load, servers

#: RSS may grow a little (caches, allocator arenas); a leak per request would not fit.
MAX_RSS_GROWTH_KIB = 40 * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_short_load_has_no_errors_and_stable_memory(tmp_path: Path) -> None:
    with servers(tmp_path) as (base_url, targets):
        report = asyncio.run(
            run_load(base_url, targets, duration=3.0, concurrency=8, max_requests=20_000)
        )
    print("\n".join(report.lines()))
    assert report.error_count == 0, dict(report.errors)
    # Every kind of request was exercised, the 401 paths included.
    assert set(report.by_target) == {t.name for t in targets}
    assert min(report.by_target.values()) >= 5
    assert report.rss_growth_kib < MAX_RSS_GROWTH_KIB
