"""Freshness by value (issue 17): verification cadences by grade, and behaviour triggers."""
