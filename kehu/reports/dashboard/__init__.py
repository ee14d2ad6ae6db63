"""The home dashboard per role (issue 18)."""
