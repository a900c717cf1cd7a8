"""Bytes the page costs: brython.js, the bundle and index.html, raw and gzipped;
and the engine asset, loaded on demand (not in the total).

Uses demo_app/ when it is an app folder (has brython-oidc.toml), else a fresh
`brython-oidc new` scaffold. Run: python bench/sizes.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from brython_oidc.scaffold import create_scaffold  # noqa: E402
from brython_oidc.server.assets import Asset, AssetSet  # noqa: E402
from brython_oidc.server.config_file import load_app_config  # noqa: E402
from brython_oidc.server.shell import load_template, render_index  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        app_dir = ROOT / "demo_app"
        label = "demo_app"
        if not (app_dir / "brython-oidc.toml").is_file():
            app_dir = Path(scratch) / "scaffold"
            create_scaffold(app_dir)
            label = "scaffold (`brython-oidc new`)"
        config = load_app_config(app_dir)
        assets = AssetSet(app_dir)
        index = render_index(
            load_template(app_dir),
            config=config.oidc,
            script_urls=(assets.runtime.url, assets.bundle.url, assets.boot.url),
            main=config.main,
            title=app_dir.name,
        ).encode()

        page = Asset("index", index, "text/html")
        print(f"app: {label}; bundle holds {len(assets.modules)} modules")
        print(f"{'file':<14}{'raw bytes':>12}{'gzip -9 bytes':>16}")
        rows = [
            ("brython.js", assets.runtime),
            ("bundle.js", assets.bundle),
            ("boot.js", assets.boot),
            ("index.html", page),
        ]
        for name, asset in rows:
            print(f"{name:<14}{len(asset.content):>12,}{len(asset.gzipped):>16,}")
        total_raw = sum(len(a.content) for _, a in rows)
        total_gz = sum(len(a.gzipped) for _, a in rows)
        print(f"{'total':<14}{total_raw:>12,}{total_gz:>16,}")
        # Not a page script: loaded when the protocol engine runs (server/assets.py).
        engine = assets.engine
        print(f"{'engine.js':<14}{len(engine.content):>12,}{len(engine.gzipped):>16,}  on demand")


if __name__ == "__main__":
    main()
