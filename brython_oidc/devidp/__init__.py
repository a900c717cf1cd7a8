"""A development OpenID Provider built on authlib and Starlette.

``Provider`` holds the state, ``create_app(provider)`` serves it,
``testing.RunningProvider`` runs it in a thread for tests.
"""

from .app import create_app
from .config import Client, Lifetimes, User
from .provider import Provider

__all__ = ["Client", "Lifetimes", "Provider", "User", "create_app"]
