"""The documentation site builds with `mkdocs build --strict`, and its reference is complete.

Strict mode turns every warning into a failure, and mkdocs.yml's `validation:` makes a
link to a missing page or anchor a warning — so a broken link fails these tests.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brython_oidc.cli import build_parser
from brython_oidc.core import config

for _module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
    pytest.importorskip(
        _module,
        reason="docs tests need mkdocs, mkdocs-material and mkdocstrings[python] "
        "(the test extras); install them to build the site",
    )

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def mkdocs_build(project: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
         "-d", str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT, out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


def page(site: Path, name: str) -> str:
    return html.unescape((site / name / "index.html").read_text(encoding="utf-8"))


def test_site_builds_strict_with_every_nav_page(site: Path) -> None:
    for name in (
        "quickstart",
        "concepts/renewal",
        "guides/api",
        "guides/providers/google",
        "reference/cli",
        "reference/core",
        "comparison",
        "security",
        "performance",
    ):
        assert (site / name / "index.html").is_file(), name  # fmt: skip


def test_concept_pages_have_a_sequence_diagram(site: Path) -> None:
    concepts = sorted((ROOT / "docs" / "concepts").glob("*.md"))
    assert len(concepts) == 7
    for source in concepts:
        built = page(site, f"concepts/{source.stem}")
        assert 'class="mermaid"' in built and "sequenceDiagram" in built, source.name


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "docs_hooks", project / "docs_hooks")
    (project / "brython_oidc").symlink_to(ROOT / "brython_oidc")
    index = project / "docs" / "index.md"
    index.write_text(index.read_text() + "\n[gone](concepts/no-such-page.md)\n")
    result = mkdocs_build(project, tmp_path / "out")
    assert result.returncode != 0
    assert "no-such-page.md" in result.stderr


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {name: _loaded(name) for name in action.choices}
    raise AssertionError("brython-oidc has no subcommands")


def _loaded(name: str) -> argparse.ArgumentParser:
    # build_parser(name) adds the options of a delegated command (demo, dev-idp).
    for action in build_parser(name)._actions:
        if isinstance(action, argparse._SubParsersAction):
            parser: argparse.ArgumentParser = action.choices[name]
            return parser
    raise AssertionError(name)


def test_cli_reference_has_every_subcommand_and_option(site: Path) -> None:
    cli = page(site, "reference/cli")
    commands = _subcommands()
    assert {"serve", "build", "new", "demo", "dev-idp"} <= set(commands)
    for name, parser in commands.items():
        assert f"brython-oidc {name}" in cli, name
        for action in parser._actions:
            for flag in action.option_strings:
                assert flag in cli, f"{name} {flag}"
            if not action.option_strings and action.metavar:
                assert str(action.metavar) in cli, f"{name} {action.metavar}"


def test_config_reference_has_every_field_and_default(site: Path) -> None:
    reference = page(site, "reference/config")
    assert len(config.FIELDS) >= 21
    for field in config.FIELDS:
        assert f"<code>{field}</code>" in reference, field
    for field, default in config._DEFAULTS.items():
        if default is not None and default != ():
            assert repr(default) in reference, f"{field} default {default!r}"


def test_error_reference_has_every_error_class(site: Path) -> None:
    from brython_oidc.core import errors

    reference = page(site, "reference/errors")
    classes = [
        obj for obj in vars(errors).values()
        if isinstance(obj, type) and issubclass(obj, errors.OIDCError)
    ]  # fmt: skip
    assert len(classes) > 10  # the trimmed tree (issue 22): 15 classes
    for cls in classes:
        assert f"<code>{cls.__name__}</code>" in reference, cls.__name__


def _hook_module() -> object:
    spec = importlib.util.spec_from_file_location("docs_hook", ROOT / "docs_hooks/reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_config_field_without_a_description_fails_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook = _hook_module()
    monkeypatch.setattr(config, "FIELDS", (*config.FIELDS, "brand_new_field"))
    with pytest.raises(ValueError, match="brand_new_field"):
        hook.render_config()  # type: ignore[attr-defined]
