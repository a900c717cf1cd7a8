"""pytest plugin and Selenium helpers for apps built with brython_oidc."""
