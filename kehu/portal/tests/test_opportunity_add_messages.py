"""The 360 page's "add an opportunity" form names a wrong field by its label, not its key."""

from __future__ import annotations

from django.utils import translation

from kehu.opportunities.models import Opportunity


def test_a_wrong_field_is_named_by_its_label(client, rep, customer_factory):
    customer = customer_factory()
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    with translation.override(translation.get_language()):  # the page's "en" stays in it
        response = client.post(
            f"/customers/{customer.customer_no}/opportunities/new/",
            {"title": "", "expected_amount": "很多", "expected_close_date": "2026-13-01"},
            follow=True,
        )
    shown = sorted(str(m).split(": ")[0] for m in response.context["messages"])
    assert shown == ["expected amount", "expected close date", "title"]
    assert Opportunity.objects.count() == 0
