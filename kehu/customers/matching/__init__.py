"""Customer matching: the features, weights and pairwise scorer shared by the whole-database
duplicate scan (kehu.dedupe.scan, Splink) and the on-save duplicate check (find_matches).

It sits in customers, below every app that creates or changes a customer, so the customers'
services can run the check without importing an app above them.
"""

from __future__ import annotations

from .candidates import MAX_SHARED_VALUE
from .features import Features, customer_features, record_features
from .pairwise import Match, compare, find_matches, probability
from .weights import FIELDS, PRIOR_WEIGHT, explain_levels

__all__ = [
    "FIELDS", "MAX_SHARED_VALUE", "PRIOR_WEIGHT", "Features", "Match", "compare",
    "customer_features", "explain_levels", "find_matches", "probability", "record_features",
]  # fmt: skip
