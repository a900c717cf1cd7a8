"""TokenValidator: good tokens and every refusal, against a JWKS served by MockTransport."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from brython_oidc.core.errors import ValidationError
from brython_oidc.server.bearer import requires_token
from brython_oidc.server.token_validator import TokenValidator

ISSUER = "https://idp.example.test"
JWKS_URI = ISSUER + "/jwks"
NOW = 1_800_000_000


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


RSA = RSAKey.generate_key(
    2048, parameters={"alg": "RS256", "use": "sig"}, private=True, auto_kid=True
)
EC = ECKey.generate_key(
    "P-256", parameters={"alg": "ES256", "use": "sig"}, private=True, auto_kid=True
)
OTHER = RSAKey.generate_key(2048, private=True, auto_kid=True)


class JWKSServer:
    """A JWKS endpoint that can go down and counts its hits."""

    def __init__(self, *keys: Any) -> None:
        self.keys = list(keys)
        self.down = False
        self.hits = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.hits += 1
        if self.down:
            return httpx.Response(503, text="down")
        return httpx.Response(200, json={"keys": [k.as_dict(private=False) for k in self.keys]})


@contextlib.contextmanager
def refused(check: str) -> Iterator[None]:
    """One error family: every refusal is a core ValidationError naming its check."""
    with pytest.raises(ValidationError) as info:
        yield
    assert info.value.check == check, info.value


def claims(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "iss": ISSUER, "aud": "demo-api", "sub": "alice", "client_id": "demo-spa",
        "iat": NOW, "nbf": NOW, "exp": NOW + 300, "jti": "j1", "scope": "openid api:read",
    }  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: Any = RSA, alg: str = "RS256", typ: str | None = "at+jwt", **changes: object) -> str:
    header: dict[str, object] = {"alg": alg, "kid": key.kid}
    if typ:
        header["typ"] = typ
    return jwt.encode(header, claims(**changes), key, algorithms=[alg])


@pytest.fixture
def jwks() -> JWKSServer:
    return JWKSServer(RSA, EC)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make(jwks: JWKSServer, clock: Clock) -> Callable[..., TokenValidator]:
    def factory(**kwargs: Any) -> TokenValidator:
        http = httpx.Client(transport=httpx.MockTransport(jwks.handler))
        kwargs.setdefault("jwks_uri", JWKS_URI)
        return TokenValidator(ISSUER, "demo-api", clock=clock, http_client=http, **kwargs)

    return factory


def test_good_rs256_and_es256_tokens(make: Callable[..., TokenValidator]) -> None:
    validator = make()
    assert validator.validate(sign())["sub"] == "alice"
    assert validator.validate(sign(EC, "ES256"))["client_id"] == "demo-spa"


def test_tampered_signature(make: Callable[..., TokenValidator]) -> None:
    head, body, sig = sign().split(".")
    flipped = sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB")
    with refused("signature"):
        make().validate(f"{head}.{body}.{flipped}")


def test_tampered_claims(make: Callable[..., TokenValidator]) -> None:
    head, _, sig = sign().split(".")
    forged = base64.urlsafe_b64encode(json.dumps(claims(sub="mallory")).encode()).rstrip(b"=")
    with refused("signature"):
        make().validate(f"{head}.{forged.decode()}.{sig}")


@pytest.mark.parametrize(
    ("changes", "check"),
    [
        ({"iss": "https://evil.test"}, "iss"),
        ({"aud": "other-api"}, "aud"),
        ({"exp": NOW - 61}, "exp"),
        ({"exp": None}, "exp"),
        ({"nbf": NOW + 61}, "nbf"),
    ],
)
def test_wrong_claims(
    make: Callable[..., TokenValidator], changes: dict[str, object], check: str
) -> None:
    with pytest.raises(ValidationError) as info:
        make().validate(sign(**changes))
    assert info.value.check == check


def test_leeway_accepts_small_skew(make: Callable[..., TokenValidator]) -> None:
    validator = make(leeway=60)
    assert validator.validate(sign(exp=NOW - 30, nbf=NOW + 30))["sub"] == "alice"


def test_aud_list_is_accepted(make: Callable[..., TokenValidator]) -> None:
    assert make().validate(sign(aud=["x", "demo-api"]))["sub"] == "alice"


def test_alg_none_refused(make: Callable[..., TokenValidator]) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()
    with refused("alg"):
        make().validate(f"{header}.{body}.")


def test_hs256_with_public_key_as_secret_refused(make: Callable[..., TokenValidator]) -> None:
    # RFC 8725 §2.1 key confusion: HMAC keyed with the RSA public key's PEM.
    # joserfc refuses to build such a key, so the attacker's token is made by hand.
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = {"alg": "HS256", "kid": RSA.kid, "typ": "at+jwt"}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims()).encode())}"
    mac = hmac.new(RSA.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64(mac)}"
    with refused("alg"):
        make().validate(token)


def test_hmac_never_configurable() -> None:
    with pytest.raises(ValueError, match="never safe"):
        TokenValidator(ISSUER, "demo-api", jwks_uri=JWKS_URI, algorithms=["RS256", "HS256"])


def test_missing_typ_when_required(make: Callable[..., TokenValidator]) -> None:
    with pytest.raises(ValidationError) as info:
        make().validate(sign(typ=None))
    assert info.value.check == "typ"
    assert make(required_typ=None).validate(sign(typ=None))["sub"] == "alice"
    assert make().validate(sign(typ="application/at+jwt"))["sub"] == "alice"


def test_unknown_kid_refetches_once_then_fails(
    make: Callable[..., TokenValidator], jwks: JWKSServer, clock: Clock
) -> None:
    validator = make()
    validator.validate(sign())
    assert jwks.hits == 1
    clock.now += 61
    with refused("kid"):
        validator.validate(sign(OTHER))
    assert jwks.hits == 2
    # Rate limit: a second unknown kid within the interval does not refetch.
    with refused("kid"):
        validator.validate(sign(OTHER))
    assert jwks.hits == 2


def test_rotation_picked_up_on_unknown_kid(
    make: Callable[..., TokenValidator], jwks: JWKSServer, clock: Clock
) -> None:
    validator = make()
    validator.validate(sign())
    jwks.keys.append(OTHER)
    clock.now += 61
    assert validator.validate(sign(OTHER))["sub"] == "alice"


def test_jwks_down_cached_keys_still_work(
    make: Callable[..., TokenValidator], jwks: JWKSServer, clock: Clock
) -> None:
    validator = make()
    validator.validate(sign())
    jwks.down = True
    clock.now += 120
    assert validator.validate(sign(exp=NOW + 600))["sub"] == "alice"
    with refused("kid"):  # refetch failed, keys kept, kid still unknown
        validator.validate(sign(OTHER, exp=NOW + 600))


def test_jwks_down_cold_cache_is_a_clear_error(
    make: Callable[..., TokenValidator], jwks: JWKSServer
) -> None:
    jwks.down = True
    with pytest.raises(ValidationError) as info:
        make().validate(sign())
    assert info.value.check == "jwks"
    assert "never been fetched" in str(info.value)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "x" * 20000 + ".a.b"])
def test_malformed(make: Callable[..., TokenValidator], token: str) -> None:
    with refused("jwt"):
        make().validate(token)


def test_error_never_contains_token(make: Callable[..., TokenValidator]) -> None:
    token = sign(aud="other-api")
    with pytest.raises(ValidationError) as info:
        make().validate(token)
    assert token not in str(info.value) and token.split(".")[2] not in repr(info.value.__dict__)


def test_discovery_finds_jwks_uri(jwks: JWKSServer, clock: Clock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(200, json={"issuer": ISSUER, "jwks_uri": JWKS_URI})
        return jwks.handler(request)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    validator = TokenValidator(ISSUER, "demo-api", clock=clock, http_client=http)
    assert validator.validate(sign())["sub"] == "alice"


# --- the Starlette decorator (RFC 6750 §3) ------------------------------------------


@pytest.fixture
def api(make: Callable[..., TokenValidator]) -> httpx.Client:
    return _api(make())


@pytest.fixture
def api_for() -> Callable[[TokenValidator], httpx.Client]:
    return _api


def _api(validator: TokenValidator) -> httpx.Client:
    @requires_token(validator, scopes=["api:read"])
    async def read(request: Request) -> Response:
        return JSONResponse({"sub": request.state.token_claims["sub"]})

    @requires_token(validator, scopes=["api:write"])
    async def write(request: Request) -> Response:
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/read", read), Route("/write", write)])
    return httpx.Client(transport=httpx.ASGITransport(app=app), base_url="http://api.test")


async def _get(api: httpx.Client, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(transport=api._transport, base_url="http://api.test") as client:
        return await client.get(path, headers=headers)


async def _get_raw(api: httpx.Client, path: str, authorization: bytes) -> httpx.Response:
    async with httpx.AsyncClient(transport=api._transport, base_url="http://api.test") as client:
        return await client.get(path, headers={"Authorization": authorization})


def _run(coro: Any) -> httpx.Response:
    import asyncio

    return asyncio.run(coro)  # type: ignore[no-any-return]


def test_decorator_good_token(api: httpx.Client) -> None:
    response = _run(_get(api, "/read", sign()))
    assert response.status_code == 200 and response.json() == {"sub": "alice"}


def test_decorator_missing_token(api: httpx.Client) -> None:
    response = _run(_get(api, "/read", None))
    assert response.status_code == 401
    # RFC 6750 §3.1 / RFC 9449 §7.1: both accepted schemes challenged, no error code.
    assert response.headers["www-authenticate"] == (
        'Bearer realm="api", DPoP realm="api", algs="ES256 PS256 RS256"'
    )


def test_decorator_invalid_token(api: httpx.Client) -> None:
    token = sign(exp=NOW - 3600)
    response = _run(_get(api, "/read", token))
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert 'error="invalid_token"' in challenge and "error_description=" in challenge
    assert token not in challenge and token not in response.text


def test_decorator_insufficient_scope(api: httpx.Client) -> None:
    response = _run(_get(api, "/write", sign()))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


# --- hostile input (issue 24, issue 22 item 4): every refusal is a 401, never a 500 -----


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_raw(header: object, payload: str, key: Any = RSA, alg: str = "RS256") -> str:
    """A token signed by the trusted key over exactly these bytes (no library checks)."""
    from joserfc.jws import JWSRegistry

    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(payload.encode())}"
    signature = JWSRegistry().get_alg(alg).sign(signing_input.encode(), key)
    return f"{signing_input}.{_b64(signature)}"


JSON_VALUES: list[object] = [
    None, True, False, 0, 1, -1.5, 1e308, "", "other", [], [1], [{}], ["x"], [None], {}, {"a": 1},
]  # fmt: skip


def _bad_headers() -> list[tuple[str, object]]:
    return [(name, value) for name in ("crit", "alg", "kid", "typ") for value in JSON_VALUES]


@pytest.mark.parametrize(("name", "value"), _bad_headers(), ids=repr)
def test_header_member_of_every_json_type_is_401_not_500(
    api: httpx.Client, name: str, value: object
) -> None:
    header: dict[str, object] = {"alg": "RS256", "typ": "at+jwt", "kid": RSA.kid, name: value}
    token = sign_raw(header, json.dumps(claims()))
    response = _run(_get(api, "/read", token))
    if (name, value) == ("crit", []):
        # RFC 7515 §4.1.11 forbids producers an empty list; it names nothing a
        # recipient would fail to understand, and core.jose accepts it (tests/core).
        assert response.status_code == 200
        return
    assert response.status_code == 401, (name, value, response.text)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_crit_1_from_the_issue_is_401(api: httpx.Client) -> None:
    # The exact request of issue 24 (no valid signature needed to reach the crash).
    token = "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImNyaXQiOjF9.e30.AAAA"
    response = _run(_get(api, "/read", token))
    assert response.status_code == 401
    assert 'error_description="crit:' in response.headers["www-authenticate"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_exp_refused(make: Callable[..., TokenValidator], literal: str) -> None:
    payload = json.dumps(claims(exp=None))[:-1] + f', "exp": {literal}}}'
    with refused("jwt"):
        make().validate(sign_raw({"alg": "RS256", "typ": "at+jwt", "kid": RSA.kid}, payload))


@pytest.mark.parametrize("nbf", ["soon", [NOW], {"t": NOW}, True])
def test_non_numeric_nbf_refused(make: Callable[..., TokenValidator], nbf: object) -> None:
    with refused("nbf"):
        make().validate(sign(nbf=nbf))


@pytest.mark.parametrize("missing", ["sub", "client_id", "iat", "jti"])
def test_rfc9068_required_claim_missing_refused(
    make: Callable[..., TokenValidator], missing: str
) -> None:
    with refused(missing):
        make().validate(sign(**{missing: None}))


def test_required_claims_can_be_relaxed_for_non_rfc9068_providers(
    make: Callable[..., TokenValidator],
) -> None:
    validator = make(required_claims=("iss", "aud", "exp", "sub"))
    assert validator.validate(sign(client_id=None, jti=None))["sub"] == "alice"
    with refused("exp"):  # exp stays required whatever the list says
        make(required_claims=()).validate(sign(exp=None))


def test_deeply_nested_payload_refused_not_crashing(api: httpx.Client) -> None:
    payload = json.dumps(claims())[:-1] + ', "x": ' + "[" * 2000 + "]" * 2000 + "}"
    token = sign_raw({"alg": "RS256", "typ": "at+jwt", "kid": RSA.kid}, payload)
    response = _run(_get(api, "/read", token))
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert 'error_description="jwt: the payload is not JSON"' in challenge


def test_lone_surrogate_claim_refused(make: Callable[..., TokenValidator]) -> None:
    payload = json.dumps(claims())[:-1] + ', "name": "\\ud800"}'
    with refused("jwt"):
        make().validate(sign_raw({"alg": "RS256", "typ": "at+jwt", "kid": RSA.kid}, payload))


def _decodes_like(token: str, good: str) -> bool:
    """Whether ``token``'s segments decode to the same bytes as ``good``'s."""
    import base64

    def decoded(text: str) -> list[bytes]:
        return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in text.split(".")]

    try:
        return decoded(token) == decoded(good)
    except ValueError:
        return False


def test_random_garbage_tokens_are_401(api: httpx.Client) -> None:
    import random

    rng = random.Random(24)
    alphabet = 'ABCabc012-_.=+/ \t\\"{}é'
    good = sign()
    seen = set()
    for i in range(300):
        if i % 2:
            token = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 80)))
        else:  # a good token with a few characters changed
            chars = list(good)
            for _ in range(rng.randrange(1, 4)):
                chars[rng.randrange(len(chars))] = rng.choice(alphabet)
            token = "".join(chars)
            if _decodes_like(token, good):
                # The same character drawn again, or one that differs only in the unused
                # low bits of a segment's last base64url character: still the good token.
                continue
        response = _run(_get_raw(api, "/read", ("Bearer " + (token.strip() or "x")).encode()))
        seen.add(response.status_code)
    assert seen <= {401}, seen


def test_unknown_kid_refetch_does_not_hold_up_cached_keys(clock: Clock) -> None:
    import threading

    fetch_started = threading.Event()
    release = threading.Event()
    server = JWKSServer(RSA)

    def slow_handler(request: httpx.Request) -> httpx.Response:
        if server.hits >= 1:  # every refetch is slow
            fetch_started.set()
            release.wait(10)
        return server.handler(request)

    http = httpx.Client(transport=httpx.MockTransport(slow_handler))
    validator = TokenValidator(ISSUER, "demo-api", jwks_uri=JWKS_URI, clock=clock, http_client=http)
    validator.validate(sign())
    clock.now += 61
    outcome: list[object] = []

    def unknown_kid() -> None:
        try:
            validator.validate(sign(OTHER))
        except ValidationError as exc:
            outcome.append(exc.check)

    thread = threading.Thread(target=unknown_kid)
    thread.start()
    try:
        assert fetch_started.wait(5)
        # The refetch is in flight and blocked; a token with a cached kid goes through.
        assert validator.validate(sign(exp=NOW + 600))["sub"] == "alice"
        assert thread.is_alive()
    finally:
        release.set()
        thread.join(10)
    assert outcome == ["kid"]


def test_failed_discovery_is_cached_negatively(clock: Clock) -> None:
    hits = []

    def down(request: httpx.Request) -> httpx.Response:
        hits.append(request.url.path)
        return httpx.Response(503, text="down")

    http = httpx.Client(transport=httpx.MockTransport(down))
    validator = TokenValidator(ISSUER, "demo-api", clock=clock, http_client=http)
    for _ in range(5):
        with refused("discovery"):
            validator.validate(sign())
    assert len(hits) == 1
    clock.now += 61
    with refused("discovery"):
        validator.validate(sign())
    assert len(hits) == 2


@pytest.mark.parametrize("jwks_uri", [None, 7, "", "file:///etc/passwd"])
def test_discovery_without_jwks_uri_is_a_clear_error(
    clock: Clock, api_for: Callable[..., httpx.Client], jwks_uri: object
) -> None:
    document: dict[str, object] = {"issuer": ISSUER}
    if jwks_uri is not None:
        document["jwks_uri"] = jwks_uri

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=document)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    validator = TokenValidator(ISSUER, "demo-api", clock=clock, http_client=http)
    with pytest.raises(ValidationError) as info:
        validator.validate(sign())
    assert info.value.check == "jwks_uri" and "jwks_uri" in str(info.value)
    validator = TokenValidator(ISSUER, "demo-api", clock=clock, http_client=http)
    response = _run(_get(api_for(validator), "/read", sign()))
    assert response.status_code == 401 and "jwks_uri" in response.headers["www-authenticate"]


def test_algorithms_outside_core_policy_not_configurable() -> None:
    with pytest.raises(ValueError, match="not supported"):
        TokenValidator(ISSUER, "demo-api", jwks_uri=JWKS_URI, algorithms=["RS384"])
