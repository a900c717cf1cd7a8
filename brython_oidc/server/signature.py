"""The CPython signature port: ``verify(alg, jwk, signing_input, signature) -> bool``.

The browser has the same port on WebCrypto (``brython_oidc.browser.webcrypto``);
``tests/contract`` runs one vector set against both. The cryptography is joserfc's
(on ``cryptography``), never hand-written. Policy is ``core.jose``'s: only
``ALLOWED_ALGS``, only the public members of the key.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Mapping

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from joserfc.jws import JWSRegistry

from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import ALLOWED_ALGS, check_alg, jwk_public_fields, webcrypto_params

_REGISTRY = JWSRegistry(algorithms=list(ALLOWED_ALGS))
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(text: str) -> bytes:
    """``core.b64.b64url_decode`` at C speed: the same refusals, as ``ValueError``.

    Injected into ``core.jose.parse_compact_jws`` on the server (the pure-Python loop
    would be most of a validation's time). Only the canonical unpadded encoding is
    accepted (RFC 7515 §2): other characters, padding, a 4n+1 length and non-zero
    trailing bits are refused (re-encoding must give back the same text).
    """
    if len(text) % 4 == 1 or not _B64URL.fullmatch(text):
        raise ValueError("base64url: not canonical unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise ValueError("base64url: not canonical unpadded base64url") from None
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != text:
        raise ValueError("base64url: non-zero trailing bits")
    return data


@functools.lru_cache(maxsize=64)
def _import_key(kty: str, members: tuple[tuple[str, str], ...]) -> RSAKey | ECKey:
    # Importing parses and checks the key: cached, since a JWKS has only a few keys.
    if kty == "RSA":
        return RSAKey.import_key(dict(members))
    return ECKey.import_key(dict(members))


def verify(alg: str, jwk: Mapping[str, object], signing_input: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``alg``'s signature of ``signing_input`` under ``jwk``.

    ``False`` for a wrong, truncated or tampered signature. ``ValidationError`` for a
    refused algorithm (check ``"alg"``, RFC 7518 §3.6 / OIDC Core §3.1.3.7 step 7),
    a key that cannot verify ``alg`` (``"kty"``) or a key that does not import
    (``"jwk"``): those are not "bad signature" but "cannot check".
    """
    check_alg(alg)
    webcrypto_params(alg, jwk)  # the same kty/crv/use fit the browser port applies
    public = jwk_public_fields(jwk)
    try:
        key = _import_key(public["kty"], tuple(sorted(public.items())))
    except (JoseError, ValueError, TypeError) as exc:
        raise ValidationError(
            "jwk", f"the {public['kty']} key does not import: {type(exc).__name__}"
        ) from None
    try:
        return bool(_REGISTRY.get_alg(alg).verify(signing_input, signature, key))
    except (JoseError, ValueError):
        # cryptography refuses some malformed signatures (wrong length) by raising.
        return False
