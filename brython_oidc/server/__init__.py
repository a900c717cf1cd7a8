"""CPython side: the Starlette app server and the API TokenValidator."""
