""" "My tasks" (/follow-ups/): each column's header says what its cells hold, on a desktop (the
table head) and on a phone (each cell's data-label): the data-quality badge under 数据质量, not
under 客户; the done mark and buttons not under 客户状态 (a customer's status)."""

from __future__ import annotations

import re
from typing import Any

from kehu.interactions.services.followups import followup_create


def test_my_tasks_headers_match_the_cells(client: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory(name="钱塘精密机械有限公司")
    task = followup_create(actor=rep, customer=customer, kind="visit", title="上门拜访")
    client.force_login(rep)
    body = client.get("/follow-ups/").content.decode()
    head = re.search(r"<thead>(.*?)</thead>", body, re.S)
    row = re.search(rf'<tr id="follow-up-{task.pk}">(.*?)</tr>', body, re.S)
    assert head is not None and row is not None
    headers = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th>(.*?)</th>", head[1])]
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", row[1], re.S)
    assert len(headers) == len(cells)
    for header, (attributes, _content) in zip(headers, cells, strict=True):
        assert f'data-label="{header}"' in attributes  # the phone's label is the header
    by_header = {header: content for header, (_a, content) in zip(headers, cells, strict=True)}
    assert "客户状态" not in headers
    quality = next(h for h, content in by_header.items() if "badge" in content and "数据" in h)
    assert customer.get_quality_display() in by_header[quality]
    assert customer.get_quality_display() not in by_header["客户"]
    assert "钱塘精密机械有限公司" in by_header["客户"]
