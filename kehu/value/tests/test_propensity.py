"""Propensity: off with too little history (says why, null scores), trained on a synthetic
history with a real signal (honest time-based hold-out, evaluation stored, scores written)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import time_machine
from django.test import override_settings

from kehu.customers.models import Customer
from kehu.opportunities.models import Order
from kehu.value.models import CustomerValue, PropensityRun
from kehu.value.propensity.features import FEATURE_NAMES, features_at, labels_at
from kehu.value.propensity.history import day_number, history_load
from kehu.value.propensity.train import training_cutoffs
from kehu.value.services.propensity import propensity_train
from kehu.value.tests.synthetic import history_synthesize

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SMALL = {"KEHU_PROPENSITY_MIN_CUSTOMERS": 50, "KEHU_PROPENSITY_MIN_POSITIVES": 10}


def test_off_with_too_little_history(customer_factory, rep, api):
    customer = customer_factory()
    Order.objects.create(
        customer=customer, order_no="SO1", signed_on=date(2026, 10, 1), amount=1000
    )
    CustomerValue.objects.create(customer=customer, churn_probability=0.9, grade="A")
    with time_machine.travel(NOW, tick=False):
        runs = propensity_train()
    assert {r.status for r in runs} == {PropensityRun.Status.INSUFFICIENT}
    assert all("历史数据不足" in r.message and "100" in r.message for r in runs)
    value = CustomerValue.objects.get(customer=customer)
    assert value.churn_probability is None and value.repurchase_probability is None
    body = api.login(rep).get(f"/api/v1/customers/{customer.customer_no}/propensity").json()
    assert body["enabled"] is False and body["churn"] is None and body["repurchase"] is None
    assert "历史数据不足" in body["message"]


def test_admin_sees_off_reason(admin_user, rep, api, client):
    with time_machine.travel(NOW, tick=False):
        propensity_train()
    assert api.login(rep).get("/api/v1/value/propensity").status_code == 403
    body = api.login(admin_user).get("/api/v1/value/propensity").json()
    assert body["enabled"] is False and "历史数据不足" in body["message"]
    page = client.get("/settings/value/propensity/")
    assert page.status_code == 200 and "历史数据不足" in page.content.decode()


@pytest.fixture
def synthetic(rep):
    with time_machine.travel(NOW, tick=False):
        return history_synthesize(customers=600, today=NOW.date(), owner=rep, team=rep.team)


@override_settings(**SMALL)
def test_trains_with_a_real_signal(synthetic, rep, api):
    with time_machine.travel(NOW, tick=False):
        runs = {r.kind: r for r in propensity_train()}
    for kind in ("churn", "repurchase"):
        run = PropensityRun.objects.get(pk=runs[kind].pk)
        assert run.status == PropensityRun.Status.OK, run.message
        assert run.auc is not None and run.auc > 0.6, (kind, run.auc)
        assert run.brier is not None and 0 < run.brier < 0.25
        assert sum(row["count"] for row in run.calibration) == run.test_rows
        assert len(run.calibration) <= 10
        # the time-based split: every training label ends before the hold-out's cutoff
        horizon = timedelta(days=run.horizon_days)
        assert run.test_cutoff == NOW.date() - horizon
        for cutoff in run.model["train_cutoffs"]:
            assert date.fromisoformat(cutoff) + horizon <= run.test_cutoff
        assert len(run.model["coef"]) == len(FEATURE_NAMES)
    values = CustomerValue.objects.filter(customer_id__in=synthetic)
    assert values.count() == len(synthetic)
    scored = values.exclude(churn_probability=None)
    assert scored.count() == runs["churn"].scored > 0
    with_orders = Customer.objects.filter(pk__in=synthetic, orders__isnull=False).distinct()
    assert values.exclude(repurchase_probability=None).count() == with_orders.count()
    # the 360 API answers with bands
    customer = Customer.objects.get(pk=scored.values_list("customer_id", flat=True)[0])
    body = api.login(rep).get(f"/api/v1/customers/{customer.customer_no}/propensity").json()
    assert body["enabled"] is True
    assert body["churn"]["band"] in ("high", "medium", "low")
    page = api.client.get(f"/customers/{customer.customer_no}/")
    assert "propensity-churn" in page.content.decode()


def test_features_know_nothing_after_the_cutoff(synthetic):
    history = history_load()
    cutoff = day_number(NOW.date()) - 400
    before = features_at(history, cutoff)
    # drop every event after the cutoff: the features at the cutoff do not change
    history.order_day = np.where(history.order_day > cutoff, 10**6, history.order_day)
    history.inter_day = np.where(history.inter_day > cutoff, 10**6, history.inter_day)
    assert np.allclose(before, features_at(history, cutoff))
    labels = labels_at(history, cutoff, 180)
    assert labels["repurchase"].sum() == 0 and labels["churn"].all()


def test_training_cutoffs_leave_the_hold_out_alone():
    today = day_number(date(2026, 12, 1))
    cutoffs, test = training_cutoffs(today, 180, today - 1000)
    assert test == today - 180
    assert max(cutoffs) + 180 <= test and len(cutoffs) == 4


def test_visibility(synthetic, outsider, api):
    customer = Customer.objects.get(pk=synthetic[0])
    answer = api.login(outsider).get(f"/api/v1/customers/{customer.customer_no}/propensity")
    assert answer.status_code == 404
