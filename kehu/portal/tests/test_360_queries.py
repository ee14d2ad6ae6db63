"""The customer-360 page's query count for a sales rep (issue 14 item 12).

docs/PERFORMANCE.md (foundation) documents the page's queries: one per section, and for a rep
two more than for the executive. The access look-ups (shares and team pool) and the edit and
log-interaction checks each ran as queries of their own: 16 for a rep where 12 were documented.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.customers.models import Customer, CustomerShare
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD

# session, user, customer, contacts, timeline, opportunities, orders, events, history,
# status changes, tags, pending changes, the custom fields (issue 15), open tasks (issue 16): one
# query each (an order
# adds its lines' prefetch), and the read log's one INSERT (who looked at whose personal data,
# issue 14 item 17); the history's people (its actors and the users its changes name, issue 15:
# names, not ids); the value panel (issue 17: the customer's value row, which the propensity
# bands reuse, and the settings' recommended actions when it has an octant; the model's date
# only when there is a likelihood); the menu's what's-new badge (issue 20: the last release
# notes the reader saw, kehu.help).
EXECUTIVE = 18
# The rep: one look-up of shares and team pool, one query for the edit and log checks, the
# tag library for the tags panel's picker (issue 17: shown to who may tag), and the active lost
# reasons for the add-opportunity form (who may edit: one entered as lost needs its reason).
REP = EXECUTIVE + 4


def queries_for(client: Any, user: Any, customer: Customer) -> list[str]:
    client.force_login(user)
    client.get(f"/customers/{customer.customer_no}/")  # warm: sessions, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/customers/{customer.customer_no}/")
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def a_customer_with_history(customer_factory: Any, rep: Any) -> Customer:
    customer: Customer = customer_factory(name="查询计数测试有限公司")
    for n in range(3):
        interaction_log(
            actor=rep,
            customer=customer,
            data={**STANDARD, "method": "电话", "topic": f"跟进{n}", "summary": "沟通需求"},
        )
    return customer


def test_rep_360_page_runs_the_documented_queries(
    client: Any, customer_factory: Any, rep: Any, rep2: Any, outsider: Any, executive: Any
) -> None:
    """With a share and a team pool (the rep's scope is at its widest), the rep's page needs
    three queries more than the executive's, as documented (the third: the tag picker)."""
    customer = a_customer_with_history(customer_factory, rep)
    elsewhere = customer_factory(actor=outsider, name="共享来的客户有限公司")
    CustomerShare.objects.create(customer=elsewhere, user=rep, shared_by=outsider)
    pooled = customer_factory(actor=rep2, name="公海客户有限公司")
    Customer.objects.filter(pk=pooled.pk).update(owner=None)
    queries = queries_for(client, rep, customer)
    assert len(queries) <= REP, "\n".join(queries)
    assert len(queries) <= len(queries_for(client, executive, customer)) + 4, "\n".join(queries)
    client.force_login(rep)
    # ... and it still shows the edit and log-interaction controls to the owner.
    page = client.get(f"/customers/{customer.customer_no}/")
    assert page.context["can_edit"] is True
    assert page.context["can_log"] is True


def test_executive_360_page_runs_one_query_per_section(
    client: Any, customer_factory: Any, rep: Any, executive: Any
) -> None:
    customer = a_customer_with_history(customer_factory, rep)
    queries = queries_for(client, executive, customer)
    assert len(queries) <= EXECUTIVE, "\n".join(queries)
    page = client.get(f"/customers/{customer.customer_no}/")
    assert page.context["can_edit"] is False
    assert page.context["can_log"] is False


def test_team_rep_sees_but_may_not_edit_a_colleagues_customer(
    client: Any, customer_factory: Any, rep: Any, rep2: Any, manager: Any
) -> None:
    """The combined checks keep their answers: a rep of the team may not edit or log (the
    customer is not shared with them, so it is a 404), the manager may do both."""
    customer = a_customer_with_history(customer_factory, rep)
    client.force_login(rep2)
    assert client.get(f"/customers/{customer.customer_no}/").status_code == 404
    CustomerShare.objects.create(customer=customer, user=rep2, shared_by=rep)
    page = client.get(f"/customers/{customer.customer_no}/")
    assert page.status_code == 200
    assert (page.context["can_edit"], page.context["can_log"]) == (False, False)
    client.force_login(manager)
    page = client.get(f"/customers/{customer.customer_no}/")
    assert (page.context["can_edit"], page.context["can_log"]) == (True, True)
