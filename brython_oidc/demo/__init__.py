"""The demo's CPython side: the notes API (a resource server) and ``brython-oidc demo``.

The browser side (Python run by Brython) is the ``demo_app/`` folder.
"""
