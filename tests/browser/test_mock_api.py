"""``MockOidc`` is held to ``Oidc``'s public API (issue 22): an app that runs against
one runs against the other, so mock mode cannot crash on a call the docs list.

Read from the source (both classes import ``browser``, which CPython lacks): every
public method, property, class attribute and ``self.x`` set in ``__init__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BROWSER = Path(__file__).resolve().parents[2] / "brython_oidc" / "browser"

#: ``Oidc``'s names for the boot code that creates it, not for the app.
LOADER_ONLY = {"load", "warm_up", "token_subscribers", "countdown_subscribers"}


def public_names(path: Path, class_name: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name]
    assert found, f"{class_name} not in {path.name}"
    names: set[str] = set()
    for node in found[0].body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
            if node.name == "__init__":
                for sub in ast.walk(node):
                    targets = (
                        sub.targets if isinstance(sub, ast.Assign)
                        else [sub.target] if isinstance(sub, ast.AnnAssign)
                        else []
                    )  # fmt: skip
                    for target in targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                        ):
                            names.add(target.attr)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


def test_mock_has_every_public_name_of_oidc() -> None:
    oidc = public_names(BROWSER / "handle.py", "Oidc")
    mock = public_names(BROWSER / "mock.py", "MockOidc")
    missing = sorted(oidc - mock - LOADER_ONLY)
    assert not missing, f"MockOidc lacks what Oidc offers: {missing}"


def test_oidc_has_every_public_name_of_the_mock() -> None:
    oidc = public_names(BROWSER / "handle.py", "Oidc")
    mock = public_names(BROWSER / "mock.py", "MockOidc")
    extra = sorted(mock - oidc)
    assert not extra, f"MockOidc offers what Oidc lacks: {extra}"


def test_every_shared_method_takes_the_same_arguments() -> None:
    def signatures(path: Path, class_name: str) -> dict[str, list[str]]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
        return {
            node.name: [a.arg for a in node.args.args + node.args.kwonlyargs]
            for node in cls.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not node.name.startswith("_")
        }

    oidc = signatures(BROWSER / "handle.py", "Oidc")
    mock = signatures(BROWSER / "mock.py", "MockOidc")
    differ = {n: (oidc[n], mock[n]) for n in oidc.keys() & mock.keys() if oidc[n] != mock[n]}
    assert not differ, f"same name, other arguments (Oidc, MockOidc): {differ}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("class Oidc:\n    x = 1\n    def __init__(self):\n        self.y = 2\n"
         "        self._z = 3\n    @property\n    def w(self): ...\n", {"x", "y", "w"}),
        ("class Oidc:\n    async def renew(self): ...\n    def _p(self): ...\n", {"renew"}),
    ],
)  # fmt: skip
def test_the_reader_sees_each_kind_of_name(tmp_path: Path, source: str, expected: set[str]) -> None:
    path = tmp_path / "handle.py"
    path.write_text(source, encoding="utf-8")
    assert public_names(path, "Oidc") - {"__init__"} == expected
