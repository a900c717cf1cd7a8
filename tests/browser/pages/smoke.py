"""Harness smoke page: the bundle loads and core modules import."""

from brython_oidc.core.b64 import b64url_encode


async def main():
    return {"b64": b64url_encode(b"\xfb\xff"), "answer": 6 * 7}
