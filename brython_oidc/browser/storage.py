"""What the runtime may keep in Web Storage, and nothing else (DESIGN: storage).

- sessionStorage: the in-flight authorization transaction (code_verifier, state,
  nonce, return path), deleted on use and ignored after ``transaction_ttl``; plus the
  ``state`` values already used, so a reloaded or Back-navigated callback URL is
  recognised and dropped instead of failing with "no matching state".
- localStorage: times (``Stamp``), never a token: the "was signed in" hint, and
  when a silent iframe last missed the session.
"""

from __future__ import annotations

from browser import window

from . import keys
from .jsjson import dumps, parse_json

_USED_STATES_KEPT = 20

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _session() -> Any:
    return window.sessionStorage


def _get(store: Any, key: str) -> str | None:
    # getItem answers JavaScript null, which Brython does not map to None.
    value = store.getItem(key)
    return value if isinstance(value, str) else None


class TransactionStore:
    """Authorization transactions in sessionStorage, keyed by ``state``."""

    def __init__(self, namespace: str) -> None:
        self.prefix = keys.transaction_prefix(namespace)
        self.used_key = keys.used_states_key(namespace)

    def save(self, state: str, mapping: dict[str, object]) -> None:
        _session().setItem(self.prefix + state, dumps(mapping))

    def take(self, state: str) -> dict[str, object] | None:
        """The transaction for ``state``, removed so it can be used once only."""
        key = self.prefix + state
        text = _get(_session(), key)
        if text is None:
            return None
        _session().removeItem(key)
        self._remember_used(state)
        try:
            value = parse_json(text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def has(self, state: str) -> bool:
        return _get(_session(), self.prefix + state) is not None

    def pending(self) -> bool:
        """Whether any transaction is in flight (a login or restore awaits its callback)."""
        return has_transaction(self.prefix)

    def was_used(self, state: str) -> bool:
        return state in self._used()

    def purge(self, now: float, ttl: float) -> None:
        """Drop transactions older than ``ttl`` seconds (abandoned logins)."""
        store = _session()
        for i in range(store.length - 1, -1, -1):
            key = store.key(i)
            if not isinstance(key, str) or not key.startswith(self.prefix):
                continue
            try:
                record = parse_json(_get(store, key) or "")
            except ValueError:
                record = None
            created = record.get("created_at", 0) if isinstance(record, dict) else 0
            if not isinstance(created, (int, float)) or now - created > ttl:
                store.removeItem(key)

    def _used(self) -> list[str]:
        text = _get(_session(), self.used_key)
        if text is None:
            return []
        try:
            value = parse_json(text)
        except ValueError:
            return []
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    def _remember_used(self, state: str) -> None:
        used = [*self._used(), state][-_USED_STATES_KEPT:]
        _session().setItem(self.used_key, dumps(used))


def has_transaction(prefix: str) -> bool:
    store = _session()
    for i in range(store.length):
        key = store.key(i)
        if isinstance(key, str) and key.startswith(prefix):
            return True
    return False


class Stamp:
    """A time in localStorage (integer seconds), never a token.

    - ``keys.hint_key``: this browser had a session, so a prompt=none redirect may
      work. It gates the top-level ``prompt=none`` redirect so a browser that never
      signed in is not bounced through the provider on every load.
    - ``blind_iframe_key``: a prompt=none iframe missed a session the hint said was
      there (``startup.Startup.restore``).
    """

    def __init__(self, key: str) -> None:
        self.key = key

    def set(self, now: float) -> None:
        window.localStorage.setItem(self.key, str(int(now)))

    def clear(self) -> None:
        window.localStorage.removeItem(self.key)

    def present(self) -> bool:
        return _get(window.localStorage, self.key) is not None

    def age(self, now: float) -> float | None:
        """Seconds since ``set``; ``None`` if unset or unreadable."""
        text = _get(window.localStorage, self.key)
        return now - int(text) if text is not None and text.isdigit() else None


def blind_iframe_key(namespace: str) -> str:
    # Named here, not in keys: only the engine reads it, and keys ships in the
    # 40 KB bundle.
    return f"{keys.PREFIX}{namespace}:blind-iframe"
