"""Brython-only glue: the in-page API (``create_oidc``, see ``browser/boot.py``) and router.

``boot`` and what it imports ship precompiled (server/precompiled.py), so importing
this package costs no compilation in the page.
"""

from __future__ import annotations

from .boot import create_oidc

__all__ = ["create_oidc"]
