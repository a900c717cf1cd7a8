"""No coroutine reads a local through Brython's frame stack after an await.

Brython 3.15 compiles a read of a local it cannot prove bound (assigned inside a
``try``, or in one branch of an ``if``) to ``$B.resolve_local(name)``, which looks the
name up in the frame on top of ``$B.frame_obj``. After an ``await`` that frame may be
another coroutine's: ``$B.promise`` restores it in the promise's ``then`` callback,
one microtask before the coroutine resumes, and another coroutine can run in between.
Seen as ``UnboundLocalError: response`` in ``http.request`` when the JWKS the boot
file had fetched and the token request resumed side by side; the same read could
just as well find another coroutine's value of the same name (``ok`` in
``webcrypto.verify``). So every coroutine in core/ and browser/ binds such names
before the ``try`` or ``if``, and this test reads Brython's own output
(``precompiled.json``, ``scripts/precompile.py``) for any ``resolve_local`` left in one.
"""

from __future__ import annotations

import re

from brython_oidc.server.precompiled import load_store

_FUNCTION = re.compile(r"(async\s+)?function\*?\s*([\w$]*)\s*\(")


def coroutine_frame_reads(js: str) -> list[tuple[str, str]]:
    """``(function, name)`` for each ``$B.resolve_local(name)`` inside an async function.

    A small scanner over Brython's generated JavaScript: it skips string literals and
    tracks braces, so nested functions are attributed to themselves.
    """
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, bool, int]] = []  # (function, is_async, depth of its body)
    pending: tuple[str, bool] | None = None  # a function header waiting for its "{"
    depth = 0
    i, n = 0, len(js)
    while i < n:
        ch = js[i]
        if ch in "'\"`":
            i += 1
            while i < n and js[i] != ch:
                i += 2 if js[i] == "\\" else 1
            i += 1
            continue
        if ch == "{":
            depth += 1
            if pending is not None:
                stack.append((pending[0], pending[1], depth))
                pending = None
        elif ch == "}":
            if stack and stack[-1][2] == depth:
                stack.pop()
            depth -= 1
        elif ch == "f" and js.startswith("function", i):
            before = js.rfind("async", max(0, i - 6), i)
            match = _FUNCTION.match(js, before if before >= 0 else i)
            if match:
                pending = (match.group(2), bool(match.group(1)))
                i = match.end()
                continue
        elif ch == "$" and js.startswith("$B.resolve_local('", i):
            name = js[i + len("$B.resolve_local('") :].split("'", 1)[0]
            if stack and stack[-1][1]:
                found.append((stack[-1][0], name))
        i += 1
    return found


def test_no_coroutine_reads_a_local_through_the_frame_stack() -> None:
    modules = load_store().get("modules")
    assert isinstance(modules, dict) and modules, "precompiled.json is missing"
    found = {
        name: coroutine_frame_reads(entry["js"])
        for name, entry in modules.items()
        if isinstance(entry, dict)
    }
    found = {name: reads for name, reads in found.items() if reads}
    assert not found, (
        f"bind these names before the try/if in the coroutine: {found} "
        "(then run python scripts/precompile.py)"
    )


def test_the_scanner_attributes_reads_to_the_innermost_function() -> None:
    js = (
        "async function outer1(a) {\n"
        "  var s = '{ $B.resolve_local(\\'quoted\\') }'\n"
        "  function inner2() { return $B.resolve_local('sync_one', 3) }\n"
        "  await x; return $B.resolve_local('after_await', 5)\n"
        "}\n"
        "function plain3() { return $B.resolve_local('plain', 7) }\n"
    )
    assert coroutine_frame_reads(js) == [("outer1", "after_await")]
