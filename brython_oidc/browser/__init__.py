"""Brython-only glue: the in-page API (create_oidc) and router."""
