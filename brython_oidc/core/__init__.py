"""Pure OpenID Connect protocol logic, shared by CPython and Brython."""
