"""A task's "title" is what is to be done (任务标题), not a contact's job title (职务): the
task form's label and its error message name it in its own context."""

from __future__ import annotations

import re
from typing import Any

from kehu.interactions.models import FollowUp

JOB_TITLE = "职务"


def test_task_form_and_its_error_do_not_call_the_title_a_job_title(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="任务标题贸易有限公司")
    client.force_login(rep)
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    form = re.search(r'<form[^>]*id="task-form".*?</form>', page, re.S)
    assert form is not None
    label = re.search(r"<label>([^<]*)<input name=\"title\"", form.group(0))
    assert label is not None and JOB_TITLE not in label.group(1)

    response = client.post(
        f"/customers/{customer.customer_no}/follow-ups/new/",
        {"kind": "other", "title": ""},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and "请说明要做什么。" in shown[0]
    assert JOB_TITLE not in shown[0]
    assert FollowUp.objects.count() == 0

    task = FollowUp.objects.create(customer=customer, owner=rep, title="回访", kind="other")
    edit = client.get(f"/follow-ups/{task.pk}/edit/").content.decode()
    edit_label = re.search(r'<label for="task-title">([^<]*)</label>', edit)
    assert edit_label is not None and JOB_TITLE not in edit_label.group(1)
