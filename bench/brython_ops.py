"""What Python operations cost in Brython, warm, in headless Chromium.

    python bench/brython_ops.py [--repeat 200]

Opens the benchmark's logged-out page (``bench/ours_app``, development provider),
waits for the engine to load in idle time, then runs one Python snippet in the page
with Brython's ``runPythonSource``. Each line is µs per call: ``repeat`` calls timed
together (``performance.now()`` is coarse), the median of 5 such batches.

Two sections:

- **primitives**: the same result reached two ways. Brython 3.15 runs most ``str``
  methods natively, but ``partition``, slices, ``set()``, generators and
  ``str.join`` cost tens of µs; ``core/`` is written with the cheaper form where it
  runs on every sign-in (``core.urls.split_once``, loops instead of ``any``/``all``).
- **core functions** on the sign-in path, with the inputs the callback page gives them,
  and the router's (``core.routes``), which run on every in-page navigation.

Figures move with the machine's load by tens of percent; compare lines of one run.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pageload, rig  # noqa: E402
from brython_oidc.testing.browser import make_chrome, wait_for_js  # noqa: E402

#: Runs in the page; DOC and REPEAT are filled in. Leaves its lines in window.__ops.
SNIPPET = """
from browser import window
from brython_oidc.core import urls
from brython_oidc.core.authorization import callback_params, strip_callback_params
from brython_oidc.core.config import ClientConfig
from brython_oidc.core.discovery import process_discovery_response
from brython_oidc.core.token import build_authorization_code_request
from brython_oidc.core.authorization import Transaction
from brython_oidc.core.b64 import b64url_encode
from brython_oidc.core.id_token import validate_id_token_claims
from brython_oidc.core.jose import parse_compact_jws
from brython_oidc.core.messages import encode_message
from brython_oidc.core.routes import Route, RouteTable, parse_query
from brython_oidc.core.pkce import is_valid_code_verifier
from brython_oidc.core.token import process_token_response
from brython_oidc.browser import tabs, webcrypto
from brython_oidc.browser.jsjson import dumps, parse_json

REPEAT = %(repeat)d
doc = parse_json(%(doc)r)
issuer = doc["issuer"]
token_endpoint = doc["token_endpoint"]
mapping = {"issuer": issuer, "client_id": "demo-spa",
           "redirect_uri": "http://localhost:8000/", "scope": "openid profile"}
config = ClientConfig.from_mapping(mapping)
metadata = process_discovery_response(doc, issuer=issuer)
callback = ("http://localhost:8000/?code=Zx8d-Ufh1R3nC_vQ2pLmA9kTZx8d-Ufh1R3nC_vQ2pLmA9kT"
            "&state=s7Hq2-Lp0VbX8nC4mZ1rT6yWk3dQ&iss=" + urls.quote(issuer))
verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk0123456789"
words = ["RS256", "PS256", "ES256", "EdDSA", "RS384", "RS512"]
pairs = [("a", "1"), ("b", "2"), ("c", "3")]
now = window.Date.now() / 1000
stored = {"state": "s7Hq2-Lp0VbX8nC4mZ1rT6yWk3dQ", "nonce": "n0Qe8-Kd2", "code_verifier": verifier,
          "redirect_uri": "http://localhost:8000/", "return_to": "/", "created_at": now,
          "kind": "login"}
claims = {"iss": issuer, "sub": "alice", "aud": "demo-spa", "exp": now + 300, "iat": now,
          "nonce": "n0Qe8-Kd2", "auth_time": now, "name": "Alice", "email": "alice@example.com"}
header = b64url_encode(dumps({"alg": "RS256", "kid": "k1", "typ": "JWT"}).encode())
id_token = header + "." + b64url_encode(dumps(claims).encode()) + "." + b64url_encode(bytes(256))
body = dumps({"access_token": "a" * 700, "token_type": "Bearer", "expires_in": 300,
              "refresh_token": "r" * 40, "id_token": id_token, "scope": "openid profile"})
tokens = process_token_response(200, body, parse_json=parse_json, now=now)
lines = []


def timed(label, call):
    batches = []
    for _ in range(5):
        started = window.performance.now()
        for _ in range(REPEAT):
            # As on a page load, each URL is split for the first time (a few µs).
            urls._SPLIT_CACHE.clear()
            call()
        batches.append((window.performance.now() - started) / REPEAT * 1000)
    batches.sort()
    lines.append(f"{batches[2]:9.1f} us  {label}")


def all_in_a_loop():
    for word in words:
        if not isinstance(word, str):
            return False
    return True


def joined_by_concatenation():
    body = ""
    for name, value in pairs:
        body += ("&" if body else "") + name + "=" + value
    return body


lines.append("primitives")
timed("url.partition('?')", lambda: token_endpoint.partition("?"))
timed("url.split('?', 1)", lambda: token_endpoint.split("?", 1))
timed("url[7:20]", lambda: token_endpoint[7:20])
timed("url.find('/')", lambda: token_endpoint.find("/"))
timed("set(url)", lambda: set(token_endpoint))
timed("all(<generator>) over 6 strings", lambda: all(isinstance(w, str) for w in words))
timed("the same as a loop", all_in_a_loop)
timed("'&'.join(<generator>) of 3 pairs", lambda: "&".join(n + "=" + v for n, v in pairs))
timed("the same by concatenation", joined_by_concatenation)
lines.append("core functions (sign-in path)")
timed("ClientConfig.from_mapping", lambda: ClientConfig.from_mapping(mapping))
timed("process_discovery_response", lambda: process_discovery_response(doc, issuer=issuer))
timed("callback_params", lambda: callback_params(callback, "query"))
timed("strip_callback_params", lambda: strip_callback_params(callback))
timed("build_authorization_code_request",
      lambda: build_authorization_code_request(config, metadata, "Zx8d-Ufh1R3nC", verifier))
timed("urls.quote(issuer)", lambda: urls.quote(issuer))
timed("urls.split_url(token_endpoint)", lambda: urls.split_url(token_endpoint))
timed("urls.url_origin(token_endpoint)", lambda: urls.url_origin(token_endpoint))
lines.append("core functions (after the token response)")
timed("Transaction.from_mapping", lambda: Transaction.from_mapping(stored))
timed("process_token_response",
      lambda: process_token_response(200, body, parse_json=parse_json, now=now))
timed("parse_compact_jws (atob)", lambda: parse_compact_jws(
    id_token, parse_json=parse_json, b64url_decode=webcrypto.b64url_decode))
timed("validate_id_token_claims", lambda: validate_id_token_claims(
    claims, issuer=issuer, client_id="demo-spa", nonce="n0Qe8-Kd2", now=now, leeway=60))
payload = tabs.tokens_payload(tokens, claims, None, 1)
timed("encode_message('tokens')", lambda: encode_message("tokens", "tab-1", payload))
timed("jsjson.dumps(tokens message)", lambda: dumps(encode_message("tokens", "tab-1", payload)))
timed("is_valid_code_verifier", lambda: is_valid_code_verifier(verifier))
lines.append("router (every navigation; 20 routes)")
route_list = [Route("/section" + str(i) + "/{id:int}/items/{name}", lambda view: None,
                    name="r" + str(i)) for i in range(19)]
route_list.append(Route("/notes/{id:int}", lambda view: None, name="note"))
table = RouteTable(route_list)
timed("RouteTable(20 routes)", lambda: RouteTable(route_list))
timed("RouteTable.match('/notes/42')", lambda: table.match("/notes/42"))
timed("RouteTable.match, one of 19 routes of its length",
      lambda: table.match("/section18/7/items/widget"))
timed("the same with a UTF-8 escape in a parameter (café)",
      lambda: table.match("/section18/7/items/caf%%C3%%A9"))
timed("RouteTable.url_for('note', id=42)", lambda: table.url_for("note", {"id": 42}))
timed("parse_query('?tab=x&tag=a&tag=b+c')", lambda: parse_query("?tab=x&tag=a&tag=b+c"))
window.__ops = "\\n".join(lines)
"""

RUN = """
window.__ops = null;
try { __BRYTHON__.runPythonSource(arguments[0], {id: 'brython_ops'}); }
catch (e) {
  window.__ops = 'error: ' + (e.__class__ ? e.__class__.__name__ : e) + ' ' + (e.args || '');
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="calls per timed batch")
    args = parser.parse_args()
    origins = rig.Origins()
    with rig.dev_provider(origins) as idp, rig.pages(idp, origins):
        discovery = idp.issuer.rstrip("/") + "/.well-known/openid-configuration"
        with urllib.request.urlopen(discovery) as response:  # loopback, the dev provider
            doc = response.read().decode("utf-8")
        with make_chrome() as driver:
            driver.get(origins.url("ours-login") + "/")
            pageload.wait_rendered(driver, "logged-out")
            # The engine (core/ among it) loads in idle time after the ready mark.
            wait_for_js(driver, "!!__BRYTHON__.precompiled['brython_oidc.core.config']", 30)
            driver.execute_script(RUN, SNIPPET % {"repeat": args.repeat, "doc": doc})
            ops = wait_for_js(driver, "window.__ops", 600)
    print(f"Brython, warm; µs per call, median of 5 batches of {args.repeat}")
    print(ops)
    if str(ops).startswith("error"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
