"""core.startup_plan: what a page tries at start, as tables (issue 22)."""

from __future__ import annotations

import pytest

from brython_oidc.core.startup_plan import (
    BLIND_IFRAME_MAX_AGE,
    CALLBACK,
    NEXT,
    NO_ANSWER,
    NO_SESSION,
    PROVIDER_ANSWERS,
    RAISE,
    SIBLING,
    SILENT_IFRAME,
    STOP,
    TOP_LEVEL_PROMPT_NONE,
    UNREACHABLE,
    after_silent_iframe,
    iframe_known_blind,
    prompt_none_offered,
    start_steps,
)

IFRAME, TOP, ASK = SILENT_IFRAME, TOP_LEVEL_PROMPT_NONE, PROVIDER_ANSWERS

# callback, sibling, restore, session_restore, hint, iframe_blind, provider_answered -> steps
START = [
    # A callback of ours decides alone, whatever else is known.
    (True, True, True, "auto", True, False, True, (CALLBACK,)),
    (True, None, False, "none", False, True, False, (CALLBACK,)),
    # Nothing known, nothing asked: logged out.
    (False, False, False, "auto", False, False, False, ()),
    # A sibling known or unknowable is asked first; a known absence is not.
    (False, True, False, "auto", True, False, True, (SIBLING,)),
    (False, None, False, "auto", True, False, True, (SIBLING,)),
    # Hint set, provider answered: sibling, iframe, then the top level.
    (False, None, True, "auto", True, False, True, (SIBLING, IFRAME, TOP)),
    (False, False, True, "auto", True, False, True, (IFRAME, TOP)),
    # The provider has not answered this page: it must before the top level moves.
    (False, False, True, "auto", True, False, False, (IFRAME, ASK, TOP)),
    (False, False, True, "redirect", True, False, False, (ASK, TOP)),
    # An iframe known blind is skipped by "auto" only.
    (False, False, True, "auto", True, True, True, (TOP,)),
    (False, False, True, "iframe", True, True, True, (IFRAME,)),
    # "iframe": never the top level; "redirect": never the iframe.
    (False, False, True, "iframe", False, False, False, (IFRAME,)),
    (False, False, True, "redirect", True, False, True, (TOP,)),
    # Without the hint no top level (a restore must not become a login loop).
    (False, False, True, "auto", False, False, True, (IFRAME,)),
    (False, False, True, "redirect", False, False, True, ()),
    # "none": no restore at the provider, siblings still hand over.
    (False, True, True, "none", True, False, True, (SIBLING,)),
]


@pytest.mark.parametrize(
    ("callback", "sibling", "restore", "mode", "hint", "blind", "answered", "steps"), START
)
def test_start_steps(
    callback: bool,
    sibling: bool | None,
    restore: bool,
    mode: str,
    hint: bool,
    blind: bool,
    answered: bool,
    steps: tuple[str, ...],
) -> None:
    assert (
        start_steps(
            callback=callback,
            sibling=sibling,
            restore=restore,
            session_restore=mode,
            hint=hint,
            iframe_blind=blind,
            provider_answered=answered,
        )
        == steps
    )


# failure, session_restore, hint -> (next, mark blind)
AFTER_IFRAME = [
    (NO_SESSION, "auto", False, (STOP, False)),
    (NO_SESSION, "iframe", True, (STOP, False)),
    (NO_SESSION, "auto", True, (NEXT, True)),
    (NO_ANSWER, "auto", True, (NEXT, True)),
    (UNREACHABLE, "auto", True, (NEXT, False)),
    (NO_ANSWER, "auto", False, (RAISE, False)),
    (UNREACHABLE, "iframe", True, (RAISE, False)),
]


@pytest.mark.parametrize(("failure", "mode", "hint", "expected"), AFTER_IFRAME)
def test_after_silent_iframe(
    failure: str, mode: str, hint: bool, expected: tuple[str, bool]
) -> None:
    assert after_silent_iframe(failure, session_restore=mode, hint=hint) == expected


@pytest.mark.parametrize(
    ("age", "blind"),
    [
        (None, False),
        (0.0, True),
        (BLIND_IFRAME_MAX_AGE - 1, True),
        (BLIND_IFRAME_MAX_AGE, False),
        (-60.0, True),  # stamped in the future: the clock was set back
        (-BLIND_IFRAME_MAX_AGE - 1, False),
    ],
)
def test_iframe_known_blind(age: float | None, blind: bool) -> None:
    assert iframe_known_blind(age) is blind


@pytest.mark.parametrize(
    ("document", "offered"),
    [
        (None, True),  # nothing fetched yet: try
        ({}, True),  # not advertised: try
        ({"prompt_values_supported": ["none", "login", "consent"]}, True),
        ({"prompt_values_supported": ["login", "consent", "create"]}, False),
        ({"prompt_values_supported": []}, False),
        ({"prompt_values_supported": "none"}, True),  # not a list: ignored, try
    ],
)
def test_prompt_none_offered(document: dict[str, object] | None, offered: bool) -> None:
    assert prompt_none_offered(document) is offered


@pytest.mark.parametrize("mode", ["auto", "iframe", "redirect"])
def test_a_provider_without_prompt_none_gets_no_restore_request(mode: str) -> None:
    steps = start_steps(
        callback=False,
        sibling=None,
        restore=True,
        session_restore=mode,
        hint=True,
        iframe_blind=False,
        provider_answered=True,
        prompt_none=False,
    )
    # A sibling tab still hands its session over; the provider is not asked.
    assert steps == (SIBLING,)
