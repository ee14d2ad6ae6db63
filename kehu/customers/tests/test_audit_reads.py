"""The audit page and API show the read log (issue 14.11): reads vs changes, by kind, masked."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role
from kehu.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(db: Any) -> Any:
    return make_user("steward", Role.STEWARD, None)


@pytest.fixture
def reads(client: Any, api: Any, rep: Any, customer_factory: Any) -> Any:
    """rep opens a customer's page, searches for a name and for a phone number, exports."""
    customer = customer_factory(name="审计页面有限公司")
    client.force_login(rep)
    client.get(f"/customers/{customer.customer_no}/")
    client.get("/search/", {"q": "审计页面"})
    client.get("/search/", {"q": "13912342166"})
    client.get("/exports/customers.csv")
    return customer


def test_the_read_log_is_for_admin_executive_and_steward_only(
    api: Any, rep: Any, manager: Any, support: Any, executive: Any, steward: Any, reads: Any
) -> None:
    for user in (rep, manager, support):
        assert api.login(user).get("/api/v1/audit/reads").status_code == 403
        assert api.client.get("/audit/", {"log": "reads"}).status_code == 403
    for user in (executive, steward):
        items = api.login(user).get("/api/v1/audit/reads").json()["items"]
        assert [i["kind"] for i in items] == ["export", "search", "search", "view"]
        assert api.client.get("/audit/", {"log": "reads"}).status_code == 200


def test_reads_filter_by_kind_actor_customer_and_the_page_switches_logs(
    api: Any, executive: Any, rep: Any, reads: Any
) -> None:
    api.login(executive)
    views = api.get("/api/v1/audit/reads", kind="view").json()["items"]
    assert [(v["actor"], v["customer_no"]) for v in views] == [("rep", reads.customer_no)]
    assert len(api.get("/api/v1/audit/reads", actor="REP").json()["items"]) == 4
    assert api.get("/api/v1/audit/reads", actor="nobody").json()["items"] == []
    assert len(api.get("/api/v1/audit/reads", customer=reads.customer_no).json()["items"]) == 1
    page = api.get("/api/v1/audit/reads", limit=1).json()
    following = api.get("/api/v1/audit/reads", limit=1, cursor=page["next_cursor"]).json()
    assert following["items"][0]["id"] < page["items"][0]["id"]
    bad = api.get("/api/v1/audit/reads", kind="watch")
    assert bad.status_code == 422 and "kind" in bad.json()["errors"]
    # The page: changes by default, reads with log=reads, narrowed by kind.
    changes = api.client.get("/audit/").content.decode()
    assert 'id="audit-entries"' in changes and 'id="audit-reads"' not in changes
    searches = api.client.get("/audit/", {"log": "reads", "kind": "search"}).content.decode()
    assert 'id="audit-reads"' in searches
    assert searches.count('class="read-search"') == 2 and "read-view" not in searches
    assert "审计页面" in searches  # the query, as typed
    assert api.client.get("/audit/", {"log": "everything"}).status_code == 422
    assert api.client.get("/audit/", {"log": "reads", "kind": "watch"}).status_code == 422


def test_numbers_typed_into_a_search_are_masked_but_for_administrators(
    api: Any, steward: Any, admin_user: Any, reads: Any
) -> None:
    queries = [i["query"] for i in api.login(steward).get("/api/v1/audit/reads").json()["items"]]
    assert "139****2166" in queries and "13912342166" not in str(queries)
    page = api.client.get("/audit/", {"log": "reads"}).content.decode()
    assert "13912342166" not in page and "139****2166" in page
    queries = [i["query"] for i in api.login(admin_user).get("/api/v1/audit/reads").json()["items"]]
    assert "13912342166" in queries
