"""brython_oidc: signed-in single-page apps written in Python, run by Brython."""

__version__ = "0.1.0"
