"""Every core/ module imports in Brython, core.pkce gives RFC 7636's vector there, and
core.urls percent-encodes, decodes and splits URLs as CPython's urllib does."""

from brython_oidc.browser import webcrypto

# RFC 7636 Appendix B: the 32 random octets and the code_verifier they make.
OCTETS = bytes(
    [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
     22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121]
)  # fmt: skip
#: Every module of core/ (tests/browser/test_platform.py fails when one is missing).
MODULES = (
    "access_token", "authorization", "b64", "config", "discovery", "dpop", "errors", "id_token",
    "jose", "messages", "pkce", "renewal_policy", "routes", "schedule", "startup_plan",
    "token", "urls",
)  # fmt: skip
#: Kept in step with tests/browser/test_platform.py's URL_SAMPLES.
URL_SAMPLES = ("http://localhost:8000/cb?x=1&y=2", "a%b c+d", "\u00e9\u2603%2F", "%%%", "-._~")
#: Likewise UNQUOTE_SAMPLES: ASCII escapes, UTF-8 ones (valid and not), stray "%".
UNQUOTE_SAMPLES = ("http%3A%2F%2F127.0.0.1%3A8001", "%C3%A9+%E2%98%83", "%FF%C3x", "%%4%zz\u00e9")
#: Likewise SPLIT_SAMPLES (core.urls splits with str.split, not partition or slices).
SPLIT_SAMPLES = (
    "HTTPS://Example.com:443/a/b?x=1#f", "http://u@h:1", "//h/p/", "/p?q#", "a+b.c:rest",
    "1a:x", "http://h#x?y", "http:", "\u00e9://h/\u2603",
)  # fmt: skip


async def main():
    imported = []
    for name in MODULES:
        module = __import__("brython_oidc.core." + name, fromlist=["_"])
        imported.append(module.__name__)
    from brython_oidc.core import pkce, urls

    verifier = pkce.make_code_verifier(OCTETS)
    digest = await webcrypto.sha256(verifier.encode("ascii"))
    return {
        "imported": imported,
        "verifier": verifier,
        "challenge": pkce.code_challenge_from_digest(digest),
        "quoted": [urls.quote(text) for text in URL_SAMPLES],
        "form": urls.form_urlencode([("k", text) for text in URL_SAMPLES]),
        "unquoted": [urls.unquote(text, plus=True) for text in UNQUOTE_SAMPLES],
        "split": [list(urls.split_url(text)) for text in SPLIT_SAMPLES],
    }
