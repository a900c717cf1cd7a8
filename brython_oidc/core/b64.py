"""base64url without padding (RFC 4648 §5, as RFC 7515 §2 uses it).

Hand-written because Brython's ``base64`` module costs ~200 ms to import; the
browser layer may use ``btoa``/``atob`` instead where it has strings.
"""

from __future__ import annotations

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


def b64url_encode(data: bytes) -> str:
    """Encode ``data`` as base64url, without ``=`` padding."""
    out = []
    for i in range(0, len(data) - 2, 3):
        n = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2]
        out.append(
            _ALPHABET[n >> 18]
            + _ALPHABET[(n >> 12) & 63]
            + _ALPHABET[(n >> 6) & 63]
            + _ALPHABET[n & 63]
        )
    rest = len(data) % 3
    if rest == 1:
        n = data[-1] << 16
        out.append(_ALPHABET[n >> 18] + _ALPHABET[(n >> 12) & 63])
    elif rest == 2:
        n = (data[-2] << 16) | (data[-1] << 8)
        out.append(_ALPHABET[n >> 18] + _ALPHABET[(n >> 12) & 63] + _ALPHABET[(n >> 6) & 63])
    return "".join(out)


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raise ``ValueError`` on anything else.

    Padding, whitespace, the standard alphabet's ``+``/``/``, an impossible length
    (4n+1) and non-zero trailing bits are all refused: RFC 7515 §2 allows exactly one
    encoding of each value.
    """
    if len(text) % 4 == 1:
        raise ValueError("base64url: impossible length")
    out = bytearray()
    acc = 0
    bits = 0
    for ch in text:
        value = _INDEX.get(ch)
        if value is None:
            raise ValueError("base64url: character outside the alphabet")
        acc = (acc << 6) | value
        bits += 6
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if acc & ((1 << bits) - 1):
        raise ValueError("base64url: non-zero trailing bits")
    return bytes(out)
