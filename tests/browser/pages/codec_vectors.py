"""browser/ codecs against core/: the atob-backed base64url decoder and to_js/dumps."""

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
    }
