"""The one write path for customers (and, through them, their contacts).

Edges (API, pages, imports, CLI, other apps) call these functions; the guards run inside them
in one documented order (write.py). Modules:

    clean.py        customer_clean: payload -> validated values
    write.py        customer_create / customer_update / customer_delete, the guard order
    contacts.py     contact_create / contact_update / contact_delete through the customer
    duplicates.py   the on-save duplicate check and the duplicate policy
    review_rules.py which changes wait for a person (approval, anomalies)
    bulk.py         many customers at once: bulk change, import creates
    ownership.py    sharing, the team pool (claim, return), reassignment in bulk (hand-over)
    merge.py        one customer absorbing another (kehu.dedupe's merge) and its undo
    derived.py      completeness, reachability, search entries
    custom_fields.py the administrator's custom field definitions (values: ../custom_fields.py)
    dictionaries.py sources
    saved_views.py  the customer list's saved views
"""

from kehu.core.errors import PermissionDenied

from .anonymise import CUSTOMER_PERSONAL_FIELDS, customer_anonymise, erased_name
from .bulk import (
    contacts_bulk_create,
    customer_bulk_update,
    customers_bulk_create,
    customers_index_fill,
    customers_index_prepared,
    customers_index_rows,
    customers_index_write,
)
from .clean import customer_clean
from .contacts import contact_create, contact_delete, contact_update, contact_values_clean
from .custom_fields import custom_field_archive, custom_field_create, custom_field_update
from .derived import assert_reachable, customer_refresh_quality, customer_reindex
from .dictionaries import source_create
from .duplicates import CheckResult, duplicate_check, duplicate_guard, duplicate_scope
from .merge import (
    MERGE_FIELDS,
    contacts_pairing,
    customer_absorb,
    customer_contacts_absorb,
    customer_contacts_restore,
    customer_merge_check,
    customer_restore,
    name_rank,
    status_furthest,
)
from .ownership import (
    can_claim,
    can_return_to_pool,
    customer_assign_pool,
    customer_claim,
    customer_return,
    customer_route_to_pool,
    customer_share,
    customer_unshare,
    customers_reassign,
    pool_claim_limit,
    pool_claims_today,
)
from .saved_views import saved_view_delete, saved_view_params, saved_view_save
from .write import (
    CUSTOMER_AUDIT_FIELDS,
    customer_change_status,
    customer_create,
    customer_delete,
    customer_snapshot,
    customer_update,
)

__all__ = [
    "CUSTOMER_PERSONAL_FIELDS",
    "customer_anonymise",
    "erased_name",
    "saved_view_delete",
    "saved_view_params",
    "saved_view_save",
    "CUSTOMER_AUDIT_FIELDS",
    "MERGE_FIELDS",
    "CheckResult",
    "PermissionDenied",
    "assert_reachable",
    "can_claim",
    "can_return_to_pool",
    "contact_create",
    "contacts_bulk_create",
    "contact_delete",
    "contact_update",
    "contact_values_clean",
    "custom_field_archive",
    "custom_field_create",
    "custom_field_update",
    "contacts_pairing",
    "customer_absorb",
    "customer_assign_pool",
    "customer_bulk_update",
    "customer_change_status",
    "customer_claim",
    "customer_clean",
    "customer_contacts_absorb",
    "customer_contacts_restore",
    "customer_create",
    "customer_delete",
    "customer_merge_check",
    "customer_refresh_quality",
    "customer_restore",
    "customer_reindex",
    "customer_return",
    "customer_route_to_pool",
    "customer_share",
    "customer_snapshot",
    "customer_unshare",
    "customer_update",
    "customers_bulk_create",
    "customers_index_fill",
    "customers_index_prepared",
    "customers_index_rows",
    "customers_index_write",
    "customers_reassign",
    "duplicate_check",
    "duplicate_guard",
    "duplicate_scope",
    "name_rank",
    "pool_claim_limit",
    "pool_claims_today",
    "source_create",
    "status_furthest",
]
