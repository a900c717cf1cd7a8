"""Brython-only glue: the in-page API (create_oidc) and router."""

from __future__ import annotations


async def create_oidc(**overrides: object) -> object:
    """See ``brython_oidc.browser.client.create_oidc``.

    Imported on call so that ``import brython_oidc.browser.<platform module>`` stays cheap.
    """
    from .client import create_oidc as _create_oidc

    return await _create_oidc(**overrides)


__all__ = ["create_oidc"]
