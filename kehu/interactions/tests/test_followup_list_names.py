""" "My tasks" (/follow-ups/) names each task's customer, not only its CX number."""

from __future__ import annotations

from kehu.interactions.services.followups import followup_create


def test_my_tasks_names_the_customer(client, rep, customer_factory):
    customer = customer_factory(name="钱塘精密机械有限公司")
    followup_create(actor=rep, customer=customer, kind="visit", title="上门拜访")
    client.force_login(rep)
    for page in (client.get("/follow-ups/"), client.get("/follow-ups/?done=1")):
        body = page.content.decode()
        assert f'<a href="/customers/{customer.customer_no}/">钱塘精密机械有限公司</a>' in body
        assert customer.customer_no in body
