"""DPoP proofs (RFC 9449): building them for the client, checking them for a server.

Building (§4.2): ``proof_signing_input`` gives the bytes to sign, ``finish_proof``
appends the signature; ``build_proof`` does both with a synchronous signer (CPython).
The browser signs with WebCrypto, which is asynchronous, so it calls the two halves
around its own ``await``. JSON, SHA-256, randomness and the clock are injected: this
module runs in Brython (built-ins and ``core`` only, see CONTRIBUTING).

Checking (§4.3): ``check_proof`` applies every rule that needs no cryptography and no
state to a parsed proof (``core.jose.parse_compact_jws``). The signature (§4.3 step 6)
is the caller's signature port (``server.signature.verify``), ``jti`` replay (§11.1)
the caller's replay cache: ``server.dpop`` does both.
"""

from __future__ import annotations

from brython_oidc.core.b64 import b64url_encode as _b64url_encode
from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import check_alg, jwk_public_fields
from brython_oidc.core.urls import split_once, split_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from brython_oidc.core.jose import CompactJWS

#: RFC 9449 §4.2: the ``typ`` of a DPoP proof JWT.
DPOP_TYP = "dpop+jwt"

#: RFC 9449 §5.1: the ``token_type`` of a DPoP-bound access token; §7.1 the auth scheme.
DPOP_SCHEME = "DPoP"

#: The algorithms a proof may use: asymmetric only (§4.3 step 5), the same allow-list
#: as every other JWS here. ES256 first: it is what the page's WebCrypto key uses.
DPOP_ALGS = ("ES256", "PS256", "RS256")

#: How old a proof's ``iat`` may be, and how far in the future (§4.3 step 11, §11.1).
DEFAULT_MAX_AGE = 300.0
DEFAULT_LEEWAY = 5.0

# RFC 7638 §3.2: the required members of each key type, already in lexicographic order.
_THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}

# Members that only a private key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

# What a thumbprint member may hold: base64url and the curve/type names. Anything else
# would need JSON escaping, which RFC 7638 §3.3 leaves to the JSON encoder: refused.
_MEMBER_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# RFC 3986 §6.2.3: a URI with its scheme's default port is the same URI without it.
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def jwk_thumbprint_input(jwk: Mapping[str, object]) -> bytes:
    """RFC 7638 §3: the UTF-8 JSON of the required public members, sorted, no spaces.

    The browser digests this with ``crypto.subtle.digest`` (asynchronous);
    ``jwk_thumbprint`` does it with an injected SHA-256.
    """
    public = jwk_public_fields(jwk)
    members = _THUMBPRINT_MEMBERS[public["kty"]]
    text = "{"
    for name in members:
        value = public[name]
        if value.strip(_MEMBER_CHARS):
            raise ValidationError("jwk", f"the key's {name!r} is not base64url (RFC 7638 §3.3)")
        if text != "{":
            text += ","
        text += '"' + name + '":"' + value + '"'
    return (text + "}").encode("utf-8")


def jwk_thumbprint(
    jwk: Mapping[str, object],
    sha256: Callable[[bytes], bytes],
    b64url_encode: Callable[[bytes], str] = _b64url_encode,
) -> str:
    """RFC 7638 §3.1 with SHA-256, base64url: the ``jkt`` of RFC 9449 §6.1 and §10."""
    return b64url_encode(sha256(jwk_thumbprint_input(jwk)))


def access_token_hash(
    access_token: str,
    sha256: Callable[[bytes], bytes],
    b64url_encode: Callable[[bytes], str] = _b64url_encode,
) -> str:
    """RFC 9449 §4.2 ``ath``: base64url of the SHA-256 of the access token's ASCII."""
    return b64url_encode(sha256(access_token.encode("ascii")))


def target_uri(url: str) -> str:
    """RFC 9449 §4.2 ``htu``: the request URI without query and fragment.

    Normalised per §4.3 step 9 (RFC 3986 §6.2.2 and §6.2.3): scheme and host in lower
    case, the scheme's default port dropped, an empty path made ``/``. Building and
    checking both go through this, so a client and a server agree.
    """
    scheme, netloc, path, _query, _fragment = split_url(url)
    if scheme not in _DEFAULT_PORTS or not netloc:
        raise ValidationError("htu", "not an absolute http(s) URI", actual=scheme or None)
    if "@" in netloc:
        raise ValidationError("htu", "the URI carries user information")
    if netloc.startswith("["):
        host, port = split_once(netloc[1:], "]")
        host = "[" + host.lower() + "]"
        port = port[1:] if port.startswith(":") else port
    else:
        host, port = split_once(netloc, ":")
        host = host.lower()
    if port and not port.isdigit():
        raise ValidationError("htu", "the port is not a number", actual=port)
    if port and port != _DEFAULT_PORTS[scheme]:
        host += ":" + port
    return scheme + "://" + host + (path or "/")


def public_jwk(jwk: Mapping[str, object]) -> dict[str, str]:
    """The public members of a key (what goes in a proof's ``jwk``, §4.2)."""
    return jwk_public_fields(jwk)


def proof_signing_input(
    *,
    alg: str,
    jwk: Mapping[str, object],
    method: str,
    url: str,
    jti: str,
    iat: int,
    dump_json: Callable[[object], str],
    access_token: str | None = None,
    nonce: str | None = None,
    sha256: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """RFC 9449 §4.2: the JWS signing input of a proof (header and claims).

    ``jti`` comes from the caller's randomness (at least 96 bits, §11.1), ``iat`` from
    its clock. With ``access_token`` (a resource request, §7) ``ath`` is added, which
    needs ``sha256``; ``nonce`` is the server's last ``DPoP-Nonce`` (§8, §9).
    """
    check_alg(alg)
    if alg not in DPOP_ALGS:
        raise ValidationError("alg", "not a DPoP algorithm", expected=DPOP_ALGS, actual=alg)
    header = {"typ": DPOP_TYP, "alg": alg, "jwk": public_jwk(jwk)}
    claims: dict[str, object] = {
        "jti": jti,
        "htm": method.upper(),
        "htu": target_uri(url),
        "iat": int(iat),
    }
    if access_token is not None:
        if sha256 is None:
            raise ValueError("ath needs sha256")
        claims["ath"] = access_token_hash(access_token, sha256)
    if nonce is not None:
        claims["nonce"] = nonce
    return (
        _b64url_encode(dump_json(header).encode("utf-8"))
        + "."
        + _b64url_encode(dump_json(claims).encode("utf-8"))
    ).encode("ascii")


def finish_proof(signing_input: bytes, signature: bytes) -> str:
    """The compact JWS: signing input, ``.``, base64url signature (RFC 7515 §7.1).

    For ES256 the signature is the raw ``r || s`` (RFC 7518 §3.4), which is what
    WebCrypto's ECDSA ``sign`` returns.
    """
    return signing_input.decode("ascii") + "." + _b64url_encode(signature)


def build_proof(
    sign: Callable[[bytes], bytes],
    *,
    alg: str,
    jwk: Mapping[str, object],
    method: str,
    url: str,
    jti: str,
    iat: int,
    dump_json: Callable[[object], str],
    access_token: str | None = None,
    nonce: str | None = None,
    sha256: Callable[[bytes], bytes] | None = None,
) -> str:
    """``proof_signing_input`` signed by the synchronous ``sign``: a complete proof."""
    signing_input = proof_signing_input(
        alg=alg, jwk=jwk, method=method, url=url, jti=jti, iat=iat, dump_json=dump_json,
        access_token=access_token, nonce=nonce, sha256=sha256,
    )  # fmt: skip
    return finish_proof(signing_input, sign(signing_input))


class DPoPProof:
    """A proof that passed ``check_proof``: its key, thumbprint and replay identifiers."""

    __slots__ = ("iat", "jkt", "jti", "jwk", "nonce")

    def __init__(
        self, jwk: dict[str, str], jkt: str, jti: str, iat: float, nonce: str | None
    ) -> None:
        self.jwk = jwk
        self.jkt = jkt
        self.jti = jti
        self.iat = iat
        self.nonce = nonce

    def __repr__(self) -> str:
        return f"DPoPProof(jkt={self.jkt!r}, iat={self.iat!r})"


def _claim_string(claims: Mapping[str, object], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationError(name, f"the proof has no string {name!r} (RFC 9449 §4.2)")
    return value


def check_proof(
    jws: CompactJWS,
    *,
    method: str,
    url: str,
    now: float,
    sha256: Callable[[bytes], bytes],
    algorithms: tuple[str, ...] = DPOP_ALGS,
    max_age: float = DEFAULT_MAX_AGE,
    leeway: float = DEFAULT_LEEWAY,
    access_token: str | None = None,
    nonce: str | None = None,
    thumbprint: Callable[[Mapping[str, object]], str] | None = None,
    b64url_encode: Callable[[bytes], str] = _b64url_encode,
) -> DPoPProof:
    """RFC 9449 §4.3 steps 3-5 and 7-12 on a parsed proof; the signature is not checked.

    ``thumbprint`` and ``b64url_encode`` may be injected for speed (a server caches
    the thumbprints of the few keys it sees and encodes in C); they must give what
    ``jwk_thumbprint`` and ``core.b64.b64url_encode`` give.

    ``nonce`` is the nonce the server requires now (§8, §9: ``check "nonce"`` means
    answer ``use_dpop_nonce``). With ``access_token`` the proof must carry its ``ath``
    (§4.3 step 12, §7). Returns the key and its thumbprint for ``cnf.jkt`` (§6.1) and
    the ``jti`` for the replay cache (§11.1).
    """
    header = jws.header
    claims = jws.claims
    # §4.3 step 4: typ is dpop+jwt (media types compare case-insensitively).
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() != DPOP_TYP:
        raise ValidationError("typ", "not a DPoP proof", expected=DPOP_TYP, actual=repr(typ))
    # §4.3 step 5: an asymmetric algorithm this server supports (none/HS* refused by check_alg).
    alg = check_alg(header.get("alg"))
    if alg not in algorithms:
        raise ValidationError("alg", "algorithm not allowed", expected=algorithms, actual=alg)
    # §4.3 step 3 / §4.2: jwk is a JSON object; step 7: it holds no private key.
    jwk = header.get("jwk")
    if not isinstance(jwk, dict):
        raise ValidationError("jwk", "the proof header has no 'jwk' object (RFC 9449 §4.2)")
    for name in _PRIVATE_MEMBERS:
        if name in jwk:
            raise ValidationError("jwk", "the proof's 'jwk' holds a private key (RFC 9449 §4.3)")
    public = jwk_public_fields(jwk)
    # §4.3 step 8: htm is the request's method.
    htm = _claim_string(claims, "htm")
    if htm != method.upper():
        raise ValidationError("htm", "wrong HTTP method", expected=method.upper(), actual=htm)
    # §4.3 step 9: htu is the request's URI, ignoring query and fragment.
    htu = _claim_string(claims, "htu")
    expected_htu = target_uri(url)
    try:
        actual_htu = target_uri(htu)
    except ValidationError:
        actual_htu = htu
    if actual_htu != expected_htu:
        raise ValidationError("htu", "wrong target URI", expected=expected_htu, actual=htu)
    jti = _claim_string(claims, "jti")
    if len(jti) > 256:
        raise ValidationError("jti", "'jti' is too long", expected=256, actual=len(jti))
    # §4.3 step 11: iat within the window (§11.1: what limits the replay cache's size).
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool) or iat - iat != 0:
        raise ValidationError("iat", "the proof has no numeric 'iat' (RFC 9449 §4.2)")
    if iat > now + leeway:
        raise ValidationError(
            "iat", "proof issued in the future", expected=f"<= {now + leeway}", actual=iat
        )
    if iat < now - max_age:
        raise ValidationError("iat", "proof too old", expected=f">= {now - max_age}", actual=iat)
    # §4.3 step 10: the nonce the server gave, when it requires one.
    sent_nonce = claims.get("nonce")
    if sent_nonce is not None and not isinstance(sent_nonce, str):
        raise ValidationError("nonce", "'nonce' must be a string")
    if nonce is not None and sent_nonce != nonce:
        raise ValidationError("nonce", "the proof lacks the server's current DPoP nonce")
    # §4.3 step 12 / §7: with an access token, ath is the hash of that token.
    if access_token is not None:
        ath = claims.get("ath")
        if not isinstance(ath, str):
            raise ValidationError(
                "ath", "the proof has no 'ath' for the access token (RFC 9449 §4.2)"
            )
        if ath != access_token_hash(access_token, sha256, b64url_encode):
            raise ValidationError("ath", "the proof was made for another access token")
    jkt = thumbprint(public) if thumbprint else jwk_thumbprint(public, sha256, b64url_encode)
    return DPoPProof(public, jkt, jti, float(iat), sent_nonce)


def check_binding(claims: Mapping[str, object], proof: DPoPProof) -> None:
    """RFC 9449 §6.1, §7.1: the token's ``cnf.jkt`` is the thumbprint of the proof's key."""
    cnf = claims.get("cnf")
    jkt = cnf.get("jkt") if isinstance(cnf, dict) else None
    if not isinstance(jkt, str):
        raise ValidationError("cnf", "the access token is not DPoP-bound (no 'cnf.jkt')")
    if jkt != proof.jkt:
        raise ValidationError("cnf", "the proof's key is not the one the token is bound to",
                              expected=jkt, actual=proof.jkt)  # fmt: skip


def is_bound(claims: Mapping[str, object]) -> bool:
    """Whether verified access token claims carry a DPoP binding (``cnf.jkt``, §6.1)."""
    cnf = claims.get("cnf")
    return isinstance(cnf, dict) and "jkt" in cnf
