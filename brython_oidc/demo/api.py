"""The demo's protected API: each user's notes, behind an RFC 9068 access token.

Served by the same Starlette app as the page (``create_app(extra_routes=...)``).
``requires_token`` validates the bearer token offline (RFC 6750 §2.1, RFC 9068 §4)
and puts its claims in ``request.state.token_claims``; notes are keyed by ``sub``
(RFC 9068 §2.2: the resource owner), so one user never sees another's notes.
"""

from __future__ import annotations

import threading
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from brython_oidc.server import strict_json
from brython_oidc.server.bearer import requires_token
from brython_oidc.server.token_validator import TokenValidator

#: The ``aud`` the development provider puts in access tokens (devidp/config.py).
DEFAULT_API_AUDIENCE = "demo-api"
MAX_NOTE_LENGTH = 500
MAX_NOTES_PER_USER = 100
MAX_BODY_BYTES = 4096


class NoteError(ValueError):
    """A note the API refuses; the message says why (shown to the user)."""


class NoteStore:
    """In-memory notes per subject; gone when the process ends (it is a demo)."""

    def __init__(self) -> None:
        self._notes: dict[str, list[dict[str, object]]] = {}
        self._lock = threading.Lock()

    def list(self, sub: str) -> list[dict[str, object]]:
        with self._lock:
            return [dict(note) for note in self._notes.get(sub, [])]

    def add(self, sub: str, text: object) -> dict[str, object]:
        if not isinstance(text, str) or not text.strip():
            raise NoteError("text must be a non-empty string")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate cannot be sent back as JSON: refused, never stored.
            raise NoteError("text must be valid Unicode (no lone surrogates)") from None
        if len(text) > MAX_NOTE_LENGTH:
            raise NoteError(f"text is longer than {MAX_NOTE_LENGTH} characters")
        with self._lock:
            notes = self._notes.setdefault(sub, [])
            if len(notes) >= MAX_NOTES_PER_USER:
                raise NoteError(f"at most {MAX_NOTES_PER_USER} notes per user")
            # Numbered per user from 1, as the page's route /notes/{id:int} reads them;
            # notes are never deleted, so a number is never reused.
            note: dict[str, object] = {
                "id": len(notes) + 1,
                "text": text.strip(),
                "created_at": int(time.time()),
            }
            notes.append(note)
        return dict(note)

    def get(self, sub: str, note_id: int) -> dict[str, object] | None:
        """The note ``note_id`` of ``sub``; ``None`` if ``sub`` has no such note."""
        with self._lock:
            for note in self._notes.get(sub, []):
                if note["id"] == note_id:
                    return dict(note)
        return None


#: Answers about one user's data: no shared cache or browser cache may keep them
#: (RFC 9111 §5.2.2.5).
PRIVATE = {"Cache-Control": "no-store"}


def _bad_request(description: str) -> Response:
    return JSONResponse(
        {"error": "invalid_request", "error_description": description},
        status_code=400,
        headers=PRIVATE,
    )


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or ``None`` once it exceeds ``limit`` bytes.

    Read chunk by chunk and abandoned at the cap, so a huge body is never held in
    memory; a ``Content-Length`` over the cap is refused before reading anything.
    """
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _not_found() -> Response:
    # The same answer for a note of another user: their notes' numbers stay unknown.
    return JSONResponse(
        {"error": "not_found", "error_description": "no such note"},
        status_code=404,
        headers=PRIVATE,
    )


#: Digits of a note number in a path: more would not be a note of ours (and ``int``
#: of a very long string costs time).
MAX_ID_DIGITS = 6


def _owner(request: Request) -> dict[str, object]:
    claims: dict[str, object] = request.state.token_claims
    return claims


def notes_routes(validator: TokenValidator, store: NoteStore) -> list[BaseRoute]:
    """``GET/POST /api/notes``, ``GET /api/notes/{id}`` and ``GET /api/me``, all requiring
    a valid access token."""
    protect = requires_token(validator)

    @protect
    async def list_notes(request: Request) -> Response:
        claims = _owner(request)
        sub = str(claims["sub"])
        return JSONResponse({"sub": sub, "notes": store.list(sub)}, headers=PRIVATE)

    @protect
    async def add_note(request: Request) -> Response:
        sub = str(_owner(request)["sub"])
        body = await read_body(request, MAX_BODY_BYTES)
        if body is None:
            return _bad_request(f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            # Strict: no NaN, no lone surrogates, no deep nesting (each was a 500).
            data = strict_json.loads(body or b"null")
        except ValueError as exc:
            return _bad_request(f"the body is not JSON: {exc}")
        if not isinstance(data, dict):
            return _bad_request('the body must be a JSON object {"text": "..."}')
        try:
            note = store.add(sub, data.get("text"))
        except NoteError as exc:
            return _bad_request(str(exc))
        return JSONResponse({"sub": sub, "note": note}, status_code=201, headers=PRIVATE)

    @protect
    async def get_note(request: Request) -> Response:
        sub = str(_owner(request)["sub"])
        raw = str(request.path_params["id"])
        # Checked here rather than by Starlette's {id:int}: a path that is not a
        # number gets this API's JSON 404, not whatever answers unmatched paths.
        if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
            return _not_found()
        note = store.get(sub, int(raw))
        if note is None:
            return _not_found()
        return JSONResponse({"sub": sub, "note": note}, headers=PRIVATE)

    @protect
    async def me(request: Request) -> Response:
        claims = _owner(request)
        # Claims an access token carries about the caller; the token itself is not echoed.
        shown = ("sub", "client_id", "scope", "iat", "exp", "aud", "iss")
        return JSONResponse({k: claims[k] for k in shown if k in claims}, headers=PRIVATE)

    return [
        Route("/api/notes", list_notes, methods=["GET"]),
        Route("/api/notes", add_note, methods=["POST"]),
        Route("/api/notes/{id}", get_note, methods=["GET"]),
        Route("/api/me", me, methods=["GET"]),
    ]
