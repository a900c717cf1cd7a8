"""The signature contract vectors through browser/webcrypto.verify (WebCrypto)."""

from browser import window

from brython_oidc.browser import webcrypto
from brython_oidc.browser.jsjson import parse_json
from brython_oidc.core.b64 import b64url_decode


async def main():
    vectors = parse_json(window.sessionStorage.getItem("signature-vectors"))
    out = []
    for v in vectors:
        ok = await webcrypto.verify(
            v["alg"], v["jwk"], b64url_decode(v["signing_input"]), b64url_decode(v["signature"])
        )
        out.append([v["name"], ok])
    return out
