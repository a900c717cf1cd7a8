"""browser/ platform layer: JSON, randomness, SHA-256 (RFC 7636 Appendix B), storage."""

from browser import window

from brython_oidc.browser import jsjson, storage, webcrypto
from brython_oidc.core.b64 import b64url_encode

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


async def main():
    out = {}
    parsed = jsjson.parse_json('{"a": [1, 2.5, "x", null, true, {"b": {}}], "n": -3}')
    out["parsed"] = parsed
    out["types"] = [type(v).__name__ for v in parsed["a"]]
    try:
        jsjson.parse_json("{not json")
        out["bad_json"] = "accepted"
    except ValueError as exc:
        out["bad_json"] = str(exc)
    out["dumps"] = jsjson.dumps({"k": [1, "two", None, False], "t": (1, 2)})
    r1, r2 = webcrypto.random_bytes(32), webcrypto.random_bytes(32)
    out["random"] = [len(r1), r1 != r2, type(r1).__name__]
    digest = await webcrypto.sha256(VERIFIER.encode("ascii"))
    out["challenge"] = b64url_encode(digest)
    out["roundtrip"] = list(webcrypto.from_buffer(webcrypto.to_uint8(bytes(range(256)))))

    window.sessionStorage.clear()
    store = storage.TransactionStore("ns")
    store.save("s1", {"state": "s1", "created_at": 1000.0})
    store.save("s2", {"state": "s2", "created_at": 100.0})
    store.purge(1500.0, 900.0)
    out["after_purge"] = [store.has("s1"), store.has("s2")]
    out["taken"] = store.take("s1")
    out["taken_again"] = store.take("s1")
    out["used"] = [store.was_used("s1"), store.was_used("s2")]
    hint = storage.Stamp("brython-oidc:ns:signed-in")
    hint.set(1234.9)
    out["hint"] = [hint.present(), window.localStorage.getItem(hint.key), hint.age(1300.0)]
    hint.clear()
    out["hint_cleared"] = [hint.present(), hint.age(1300.0)]
    window.localStorage.setItem(hint.key, "12x")
    out["hint_garbled"] = [hint.present(), hint.age(1300.0)]
    hint.clear()
    window.sessionStorage.clear()
    return out
