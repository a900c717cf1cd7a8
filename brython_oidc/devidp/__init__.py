"""A development OpenID Provider built on authlib and Starlette."""
