"""The import's fast inserts live in kehu.core.bulk (bulk services of every app use them)."""

from kehu.core.bulk import field_values, insert_rows, reserve_ids, unsaved

__all__ = ["field_values", "insert_rows", "reserve_ids", "unsaved"]
