"""Segment pages: the list with counts, the editor (prefilled from the customer list, live
count), a segment opening as the customer list, whose export takes segment= too."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from kehu.accounts.models import User
from kehu.customers.models import Customer
from kehu.segments.models import Segment
from kehu.segments.services import segment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(customer_factory: Any, rep2: User) -> list[Customer]:
    return [
        customer_factory(name="广州甲制造有限公司", province="广东省"),
        customer_factory(name="杭州乙贸易有限公司", province="浙江省"),
        customer_factory(actor=rep2, name="深圳丙制造有限公司", province="广东省"),
    ]


def test_save_the_list_as_a_segment_and_open_it(
    client: Client, rep: User, book: list[Customer]
) -> None:
    client.force_login(rep)
    listed = client.get("/customers/", {"province": "广东省", "order": "name"})
    body = listed.content.decode()
    assert 'id="save-segment"' in body
    assert "/segments/new/?query=province%3D" in body
    form = client.get("/segments/new/", {"query": "province=%E5%B9%BF%E4%B8%9C%E7%9C%81"})
    assert form.status_code == 200
    assert 'value="province=广东省"' in form.content.decode()
    assert 'id="segment-preview-count">1<' in form.content.decode()  # the rep's one
    response = client.post(
        "/segments/new/",
        {
            "name": "广东客户",
            "description": "",
            "visibility": "team",
            "query": "province=广东省",
            "followup_cadence": "",
            "followup_title": "",
            "followup_due_days": "3",
        },
    )
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/segments/{segment.pk}/"
    opened = client.get(f"/segments/{segment.pk}/")
    assert opened["Location"] == f"/customers/?segment={segment.pk}"
    page = client.get(f"/customers/?segment={segment.pk}").content.decode()
    assert 'id="segment-name">广东客户<' in page
    assert "广州甲制造有限公司" in page and "杭州乙贸易有限公司" not in page
    assert f'name="segment" value="{segment.pk}"' in page  # the filter form keeps it
    # the export takes the segment (export link carries the query string)
    export = client.get(f"/exports/customers.csv?segment={segment.pk}")
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "广州甲制造有限公司" in text and "杭州乙贸易有限公司" not in text
    listing = client.get("/segments/").content.decode()
    assert "广东客户" in listing
    cell = client.get(f"/segments/{segment.pk}/count/").content.decode()
    assert f'<td class="segment-count" id="segment-count-{segment.pk}">1</td>' in cell


def test_preview_names_bad_filters(client: Client, rep: User) -> None:
    client.force_login(rep)
    response = client.get("/segments/preview/", {"query": "status=nonsense&colour=red"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "segment-preview-errors" in body and "colour" in body and "status" in body
    response = client.post(
        "/segments/new/",
        {"name": "坏", "visibility": "private", "query": "colour=red", "followup_due_days": "3"},
    )
    assert response.status_code == 200
    assert 'id="error-query"' in response.content.decode()
    assert not Segment.objects.exists()


def test_edit_and_delete_only_by_the_owner(
    client: Client, rep: User, rep2: User, outsider: User, book: list[Customer]
) -> None:
    segment = segment_create(
        actor=rep, data={"name": "广东", "query": "province=广东省", "visibility": "team"}
    )
    client.force_login(rep2)  # sees it (team), may not change it
    assert client.get(f"/segments/{segment.pk}/").status_code == 302
    page = client.get(f"/customers/?segment={segment.pk}").content.decode()
    assert "深圳丙制造有限公司" in page and "广州甲制造有限公司" not in page  # rep2's own view
    assert client.get(f"/segments/{segment.pk}/edit/").status_code == 403
    assert client.post(f"/segments/{segment.pk}/delete/").status_code == 403
    client.force_login(outsider)  # another team: not there at all
    assert client.get(f"/segments/{segment.pk}/").status_code == 404
    assert client.get(f"/segments/{segment.pk}/edit/").status_code == 404
    assert "segment-banner" not in client.get(f"/customers/?segment={segment.pk}").content.decode()
    assert Segment.objects.filter(pk=segment.pk).exists()
    client.force_login(rep)
    edit = client.get(f"/segments/{segment.pk}/edit/")
    assert edit.status_code == 200
    assert 'value="province=广东省"' in edit.content.decode()  # readable, not %E5%B9%BF…
    response = client.post(
        f"/segments/{segment.pk}/edit/",
        {
            "name": "广东全部",
            "visibility": "private",
            "query": "province=广东省",
            "followup_cadence": "weekly",
            "followup_title": "每周跟进",
            "followup_due_days": "2",
        },
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.name, segment.visibility, segment.followup_cadence) == (
        "广东全部",
        "private",
        "weekly",
    )
    assert client.post(f"/segments/{segment.pk}/delete/").status_code == 302
    assert not Segment.objects.exists()


def test_segment_query_is_quoted_in_links(client: Client, rep: User) -> None:
    client.force_login(rep)
    response = client.get("/segments/new/", {"query": 'province="><script>'})
    assert "<script>" not in response.content.decode()
    assert quote("x") == "x"
