"""kehu.value's writes (kehu/core/write_path.py): the propensity runs and scores
(services.propensity), the freshness settings (services.freshness) and the behaviour triggers'
firings (services.triggers)."""
