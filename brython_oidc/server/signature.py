"""The CPython signature port: ``verify(alg, jwk, signing_input, signature) -> bool``.

The browser has the same port on WebCrypto (``brython_oidc.browser.webcrypto``);
``tests/contract`` runs one vector set against both. The cryptography is joserfc's
(on ``cryptography``), never hand-written. Policy is ``core.jose``'s: only
``ALLOWED_ALGS``, only the public members of the key.
"""

from __future__ import annotations

from collections.abc import Mapping

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from joserfc.jws import JWSRegistry

from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import ALLOWED_ALGS, check_alg, jwk_public_fields, webcrypto_params

_REGISTRY = JWSRegistry(algorithms=list(ALLOWED_ALGS))


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
        key: RSAKey | ECKey
        if public["kty"] == "RSA":
            key = RSAKey.import_key(dict(public))
        else:
            key = ECKey.import_key(dict(public))
    except (JoseError, ValueError, TypeError) as exc:
        raise ValidationError(
            "jwk", f"the {public['kty']} key does not import: {type(exc).__name__}"
        ) from None
    try:
        return bool(_REGISTRY.get_alg(alg).verify(signing_input, signature, key))
    except (JoseError, ValueError):
        # cryptography refuses some malformed signatures (wrong length) by raising.
        return False
