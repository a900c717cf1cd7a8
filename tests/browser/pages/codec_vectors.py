"""browser/ codecs against core/: base64url via atob, to_js/dumps, bytes <-> Uint8Array."""

from browser import window

from brython_oidc.browser import jsjson, webcrypto
from brython_oidc.core.b64 import b64url_decode, b64url_encode

# RFC 7515 §2: one encoding per value. Each of these breaks a rule core.b64 enforces.
INVALID = ["A", "AB=", "AB==", "A+B/", "AB C", "AB\n", "AR", "AAF", "Zm9v=", "é", "AAAA\u0000"]


def _decode(decoder, text):
    try:
        return list(decoder(text))
    except ValueError:
        return "ValueError"


# Built and read on the JavaScript side only, so a fault shared by to_uint8 and
# from_buffer (both go through latin-1 text) cannot cancel out in a round trip.
_js_pattern = window.Function.new(
    "n",
    "var a = new Uint8Array(n); for (var i = 0; i < n; i++) a[i] = (i * 7 + 3) % 256; return a;",
)
_js_values = window.Function.new("a", "return Array.prototype.slice.call(a).join(',');")


def _pattern(n):
    return bytes((i * 7 + 3) % 256 for i in range(n))


def _typed_arrays():
    every = bytes(range(256))
    big = _pattern(20000)  # far more than a digest: from_buffer takes any size
    js_every = window.Uint8Array.new(list(range(256)))
    return {
        "latin1_decode": [ord(c) for c in every.decode("latin-1")] == list(range(256)),
        "latin1_encode": "".join(chr(i) for i in range(256)).encode("latin-1") == every,
        "to_uint8": str(_js_values(webcrypto.to_uint8(every))),
        "to_uint8_big": str(_js_values(webcrypto.to_uint8(big)))
        == str(_js_values(_js_pattern(20000))),
        "to_uint8_empty": int(webcrypto.to_uint8(b"").length),
        "to_uint8_type": str(window.Object.prototype.toString.call(webcrypto.to_uint8(b"x"))),
        "from_typed": list(webcrypto.from_buffer(js_every)),
        "from_buffer": list(webcrypto.from_buffer(js_every.buffer)),
        "from_big": webcrypto.from_buffer(_js_pattern(20000).buffer) == big,
        "from_sub": list(webcrypto.from_buffer(js_every.subarray(250))),
        "from_empty": repr(webcrypto.from_buffer(window.ArrayBuffer.new(0))),
        "round_trip": webcrypto.from_buffer(webcrypto.to_uint8(big)) == big,
    }


async def main():
    valid = [b64url_encode(bytes(range(n))) for n in range(9)]
    valid += [b64url_encode(bytes(range(256))), b64url_encode(b"\xfb\xff\xfe"), "AQ", "AAE"]
    decoded = [
        [text, _decode(b64url_decode, text), _decode(webcrypto.b64url_decode, text)]
        for text in valid + INVALID
    ]
    value = {
        "s": 'q"\\\n\u00e9',
        "n": None,
        "b": [True, False],
        "i": -3,
        "f": 2.5,
        "t": (1, 2),
        "d": {"x": {}},
        "big": 2**60,
    }
    native = jsjson.to_js(value)
    errors = []
    for bad in (float("nan"), float("inf"), object()):
        try:
            jsjson.dumps({"k": [bad]})
            errors.append("accepted")
        except (ValueError, TypeError) as exc:
            errors.append(type(exc).__name__)
    return {
        "decoded": decoded,
        "invalid_count": len(INVALID),
        "dumps": jsjson.dumps(value),
        "native": [
            str(window.JSON.stringify(native)),
            bool(window.Array.isArray(native["b"])),
            str(window.String(native["n"])),
        ],
        "errors": errors,
        "typed_arrays": _typed_arrays(),
    }
