"""pytest plugin entry point (fixtures arrive with the testing issue)."""
