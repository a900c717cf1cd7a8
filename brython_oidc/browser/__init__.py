"""Brython-only glue: the in-page API (create_oidc) and router."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .handle import Oidc
    from .mock import MockOidc


async def create_oidc(**overrides: object) -> Oidc | MockOidc:
    """See ``brython_oidc.browser.boot.create_oidc``.

    Imported on call so that ``import brython_oidc.browser.<platform module>`` stays cheap.
    """
    from .boot import create_oidc as _create_oidc

    return await _create_oidc(**overrides)


__all__ = ["create_oidc"]
