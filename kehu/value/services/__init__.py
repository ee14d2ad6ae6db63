"""Computing the customer value rows (issue 17); a package named services because it writes
the rows (kehu/core/write_path.py).

- config: the settings in effect (thresholds, windows, octant actions, grade rules).
- classify: the rules on one customer's figures (octant, grade, lifecycle, levels) in Python,
  and the same rules as SQL CASE expressions for the nightly run (rules.py keeps them together).
- single: recompute a few customers (after their orders, interactions or status changed).
- nightly: recompute every customer, set-based (window functions, one upsert per batch).
- changes: the change log's listener and the per-customer queue.

RFM quintiles are rank-based percentiles among the customers with orders: a customer's percentile
is the middle of its tie group, pct = (below + equal / 2) / n, and its quintile 1 + floor(5 pct)
(at most 5). Ties get the same quintile, a lone customer or an all-equal base gets 3, and five
distinct customers get 1..5. R ranks by the last order date (older = lower), F by the number of
orders, M by their total. NTILE is not used: it splits ties across buckets.

kehu.value's writes (kehu/core/write_path.py): the propensity runs and scores
(services.propensity), the freshness settings (services.freshness) and the behaviour triggers'
firings (services.triggers).
"""
