"""The demo's notes API: a resource server that trusts only the provider's access tokens."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from brython_oidc.demo.api import MAX_NOTE_LENGTH, NoteStore
from brython_oidc.demo.server import create_demo_app, demo_app_dir
from brython_oidc.devidp import Client, Provider
from brython_oidc.devidp.testing import RunningProvider
from brython_oidc.server.token_validator import TokenValidator

APP_URL = "http://localhost:8000/"


@pytest.fixture(scope="module")
def idp() -> Iterator[RunningProvider]:
    with RunningProvider(
        provider_factory=lambda iss: Provider(iss, clients=[Client("demo-spa", [APP_URL])])
    ) as running:
        yield running


@pytest.fixture
def client(idp: RunningProvider) -> TestClient:
    app = create_demo_app(issuer=idp.provider.issuer, client_id="demo-spa")
    return TestClient(app)


def bearer(
    idp: RunningProvider, user: str, *, audience_client: Client | None = None
) -> dict[str, str]:
    provider = idp.provider
    token = provider.minter.access_token(
        client=audience_client or provider.clients["demo-spa"],
        username=user,
        scope="openid profile",
        now=time.time(),
        ttl=60,
    )
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/api/notes")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_each_user_sees_only_their_notes(client: TestClient, idp: RunningProvider) -> None:
    alice, bob = bearer(idp, "alice"), bearer(idp, "bob")
    assert client.get("/api/notes", headers=alice).json() == {"sub": "alice", "notes": []}
    created = client.post("/api/notes", json={"text": " buy milk "}, headers=alice)
    assert created.status_code == 201 and created.json()["note"]["text"] == "buy milk"
    listed = client.get("/api/notes", headers=alice).json()
    assert [n["text"] for n in listed["notes"]] == ["buy milk"]
    assert client.get("/api/notes", headers=bob).json() == {"sub": "bob", "notes": []}
    me = client.get("/api/me", headers=bob).json()
    assert me["sub"] == "bob" and me["aud"] == "demo-api" and "access_token" not in me


def test_a_token_for_another_api_is_refused(client: TestClient, idp: RunningProvider) -> None:
    other = Client("other-spa", [APP_URL], api_audience="other-api")
    response = client.get("/api/notes", headers=bearer(idp, "alice", audience_client=other))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_a_tampered_token_is_refused_and_not_echoed(
    client: TestClient, idp: RunningProvider
) -> None:
    token = bearer(idp, "alice")["Authorization"].split()[1]
    head, payload, sig = token.split(".")
    forged = f"{head}.{payload}.{sig[:-4]}AAAA"
    response = client.get("/api/notes", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert forged not in response.text and forged not in str(response.headers)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"text": ""}', "non-empty"),
        (b'{"text": 5}', "non-empty string"),
        (b'{"text": "' + b"x" * (MAX_NOTE_LENGTH + 1) + b'"}', "longer than"),
        (b'{"text": "' + b"x" * 5000 + b'"}', "larger than"),
    ],
)
def test_bad_notes_are_400_with_a_reason(
    client: TestClient, idp: RunningProvider, body: bytes, reason: str
) -> None:
    headers = {**bearer(idp, "carol"), "Content-Type": "application/json"}
    response = client.post("/api/notes", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert reason in response.json()["error_description"]


def test_note_store_caps_notes_per_user() -> None:
    store = NoteStore()
    for i in range(100):
        store.add("u", f"note {i}")
    with pytest.raises(ValueError, match="at most 100"):
        store.add("u", "one too many")
    assert store.list("someone else") == []


def test_page_is_served_with_the_demo_configuration(idp: RunningProvider) -> None:
    validator = TokenValidator(idp.provider.issuer, "demo-api")
    app = create_demo_app(issuer="https://op.example", client_id="my-spa", validator=validator)
    page = TestClient(app).get("/notes")
    assert page.status_code == 200
    assert '"issuer":"https://op.example"' in page.text and '"client_id":"my-spa"' in page.text
    assert "import main" in page.text
    assert (demo_app_dir() / "main.py").is_file()


# --- hostile bodies (issue 24): 400, nothing stored, nothing cached --------------------


def test_lone_surrogate_note_is_400_and_not_stored(
    client: TestClient, idp: RunningProvider
) -> None:
    headers = {**bearer(idp, "dave"), "Content-Type": "application/json"}
    response = client.post("/api/notes", content=b'{"text": "\\ud800"}', headers=headers)
    assert response.status_code == 400
    assert "surrogate" in response.json()["error_description"]
    listed = client.get("/api/notes", headers=headers)
    assert listed.status_code == 200 and listed.json()["notes"] == []


def test_note_store_refuses_lone_surrogates_itself() -> None:
    store = NoteStore()
    with pytest.raises(ValueError, match="surrogate"):
        store.add("u", "ok \udc00")
    assert store.list("u") == []


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": ' + b"[" * 1900 + b"]" * 1900 + b"}",  # 3.8 KB, the size
        b'{"text": ' + b'{"a":' * 600 + b"1" + b"}" * 600 + b"}",
        b'{"text": NaN}',
        b'{"text": "x", "n": Infinity}',
    ],
)
def test_deep_or_non_json_body_is_400(
    client: TestClient, idp: RunningProvider, body: bytes
) -> None:
    headers = {**bearer(idp, "erin"), "Content-Type": "application/json"}
    response = client.post("/api/notes", content=body, headers=headers)
    assert response.status_code == 400
    assert "not JSON" in response.json()["error_description"]


def test_per_user_responses_are_no_store(client: TestClient, idp: RunningProvider) -> None:
    headers = bearer(idp, "frank")
    created = client.post("/api/notes", json={"text": "x"}, headers=headers)
    responses = [
        created,
        client.get("/api/notes", headers=headers),
        client.get("/api/me", headers=headers),
        client.post("/api/notes", content=b"[]", headers=headers),
    ]
    for response in responses:
        assert response.status_code in (200, 201, 400)
        assert response.headers["cache-control"] == "no-store", response.request.url


def _call_with_body(app: object, headers: dict[str, str], chunks: int) -> tuple[int, int]:
    """POST /api/notes through raw ASGI, ``chunks`` KB chunked; (status, chunks read)."""
    import asyncio

    read = 0
    status = 0

    async def receive() -> dict[str, object]:
        nonlocal read
        if read >= chunks:
            return {"type": "http.disconnect"}
        read += 1
        return {"type": "http.request", "body": b"x" * 1024, "more_body": read < chunks}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/notes", "raw_path": b"/api/notes", "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    return status, read


def test_body_size_checked_before_reading_the_whole_body(idp: RunningProvider) -> None:
    app = create_demo_app(issuer=idp.provider.issuer, client_id="demo-spa")
    # 100 MB announced by chunks, no Content-Length: reading stops at the 4 KB cap.
    status, read = _call_with_body(app, bearer(idp, "gina"), chunks=100_000)
    assert status == 400
    assert read <= 5
    # A Content-Length over the cap is refused before a single chunk is read.
    headers = {**bearer(idp, "gina"), "Content-Length": str(300 * 1024 * 1024)}
    status, read = _call_with_body(app, headers, chunks=300 * 1024)
    assert status == 400
    assert read == 0


def test_one_note_by_number_only_for_its_owner(client: TestClient, idp: RunningProvider) -> None:
    carol, dave = bearer(idp, "carol"), bearer(idp, "dave")
    first = client.post("/api/notes", json={"text": "one"}, headers=carol).json()["note"]
    second = client.post("/api/notes", json={"text": "two"}, headers=carol).json()["note"]
    assert (first["id"], second["id"]) == (1, 2)  # what the page's /notes/{id:int} reads
    got = client.get("/api/notes/2", headers=carol)
    assert got.status_code == 200 and got.json()["note"]["text"] == "two"
    assert got.headers["cache-control"] == "no-store"
    # Another user's note and a number nobody has are the same 404.
    for headers, path in ((dave, "/api/notes/1"), (carol, "/api/notes/3")):
        missing = client.get(path, headers=headers)
        assert missing.status_code == 404, path
        assert missing.json()["error"] == "not_found"


@pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "%C2%B2", "1234567", "0x1"])
def test_a_note_number_that_is_not_one_is_404_json(
    client: TestClient, idp: RunningProvider, raw: str
) -> None:
    response = client.get("/api/notes/" + raw, headers=bearer(idp, "erin"))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_one_note_needs_a_token(client: TestClient) -> None:
    assert client.get("/api/notes/1").status_code == 401
