"""Words that mean two things in English read as they are meant in Chinese on every path: the
customer's feedback "Interested" is 有兴趣 (not the status 意向客户), the opportunity stages
"Won"/"Lost" are 赢单/输单 (not the statuses 成交客户/流失客户)."""

from __future__ import annotations

from django.utils import translation

from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD
from kehu.opportunities.models import Opportunity


def test_feedback_interested_reads_as_feedback_in_the_api(api, rep, customer_factory):
    customer = customer_factory()
    interaction_log(
        actor=rep, customer=customer, data={**STANDARD, "method": "phone", "feedback": "有兴趣"}
    )
    api.login(rep)
    api.client.cookies["django_language"] = "zh-hans"
    items = api.get(f"/api/v1/customers/{customer.customer_no}/interactions").json()["items"]
    assert [i["feedback_label"] for i in items] == ["有兴趣"]


def test_the_choices_themselves_carry_the_meant_word():
    with translation.override("zh-hans"):
        feedback = dict(Interaction.Feedback.choices)
        stages = dict(Opportunity.Stage.choices)
        assert str(feedback["interested"]) == "有兴趣"
        assert (str(stages["won"]), str(stages["lost"])) == ("赢单", "输单")
