"""Keep the search index in step with writes: called explicitly by services, in their transaction.

Lower apps (customers, interactions, the sandbox loader, imports) call these functions; the query
side lives in kehu.search. Records are passed duck-typed (a customer, a contact with .customer,
an interaction with .customer), so core imports no app above it.

Every text is normalised the same way at index and at query time by the one normaliser
(kehu.core.normalize: `search_normalize`, `compact`, `pinyin_keys`, `phone_digits`, the company
core): full-width to half-width, traditional to simplified (OpenCC's table), NFKC, lower case.

The modules: `documents` builds a record's document and its scope tokens; `fts` keeps the
substring indexes (SQLite's FTS5 tables, PostgreSQL's `grams`) in step with a document; `write`
indexes one record at a time (the services); `bulk` inserts, refills and tidies many at once
(the loader, imports, the reindex).
"""

from ..normalize import compact as compact
from ..normalize import has_cjk as has_cjk  # kehu.search.engines reads it from here
from ..normalize import search_normalize as search_normalize
from .bulk import (
    CATCH_UP_JOB,
    Prepared,
    search_catching_up,
    search_index_bulk,
    search_index_clear,
    search_index_refill,
    search_index_tidy,
    search_index_values,
    search_pool_tokens,
    search_prepare,
    search_prepare_values,
    search_prepared,
)
from .documents import (
    Kind,
    company_core,
    contact_document,
    contact_values,
    customer_document,
    customer_values,
    interaction_document,
    scope_token,
    scope_tokens,
)
from .fts import IndexRow, pg_grams
from .tokens import cjk_grams
from .write import (
    search_index_contact,
    search_index_customer,
    search_index_interaction,
    search_index_save,
    search_rescope_customers,
    search_set_tags,
    search_unindex,
    search_unindex_customer,
)

__all__ = [
    "CATCH_UP_JOB",
    "IndexRow",
    "Kind",
    "Prepared",
    "cjk_grams",
    "company_core",
    "compact",
    "contact_document",
    "contact_values",
    "customer_document",
    "customer_values",
    "has_cjk",
    "interaction_document",
    "pg_grams",
    "scope_token",
    "scope_tokens",
    "search_catching_up",
    "search_index_bulk",
    "search_index_clear",
    "search_index_contact",
    "search_index_customer",
    "search_index_interaction",
    "search_index_refill",
    "search_index_save",
    "search_index_tidy",
    "search_index_values",
    "search_normalize",
    "search_pool_tokens",
    "search_prepare",
    "search_prepare_values",
    "search_prepared",
    "search_rescope_customers",
    "search_set_tags",
    "search_unindex",
    "search_unindex_customer",
]
