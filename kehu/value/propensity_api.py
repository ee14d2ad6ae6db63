"""/api/v1/value/propensity (administrators: the models' honest evaluation, a retraining) and
/api/v1/customers/{no}/propensity (anyone who sees the customer: its churn and repurchase
likelihood, null while the model is off)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Router, Schema, Status

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.customers.selectors import customer_get_for

from .models import PropensityRun
from .propensity.display import customer_propensity, models_state, run_dict
from .services.freshness import assert_can_manage

router = Router(tags=["value"])


class Band(Schema):
    probability: float
    percent: int
    band: str
    label: str


class CustomerPropensityOut(Schema):
    enabled: bool
    message: str
    churn: Band | None
    repurchase: Band | None
    churn_trained_at: datetime | None
    repurchase_trained_at: datetime | None


class RunOut(Schema):
    kind: str
    status: str
    message: str
    trained_at: datetime
    horizon_days: int
    test_cutoff: date | None
    rows: int
    positives: int
    test_rows: int
    test_positives: int
    auc: float | None
    brier: float | None
    calibration: list[dict[str, Any]]
    scored: int
    seconds: float


class PropensityOut(Schema):
    enabled: bool
    message: str
    runs: list[RunOut]
    history: list[RunOut]


class QueuedOut(Schema):
    task_id: str


@router.get(
    "/customers/{customer_no}/propensity",
    response={200: CustomerPropensityOut, **errors(404)},
    summary="A customer's churn and repurchase likelihood",
)
def customer_propensity_get(request: AuthedRequest, customer_no: str) -> dict[str, Any]:
    customer = customer_get_for(request.user, customer_no)
    return customer_propensity(customer.pk)


@router.get(
    "/value/propensity", response={200: PropensityOut}, summary="The propensity models (admins)"
)
def propensity_get(request: AuthedRequest) -> dict[str, Any]:
    assert_can_manage(request.user)
    state = models_state()
    return {
        "enabled": state["enabled"],
        "message": state["message"],
        "runs": [run_dict(m["run"]) for m in state["models"].values() if m["run"] is not None],
        "history": [run_dict(r) for r in PropensityRun.objects.order_by("-trained_at", "-id")[:20]],
    }


@router.post(
    "/value/propensity/train",
    response={202: QueuedOut},
    summary="Queue a retraining of the propensity models (admins)",
)
def propensity_train_queue(request: AuthedRequest) -> Status:
    assert_can_manage(request.user)
    from .tasks import propensity_train_task

    result = propensity_train_task.enqueue()
    return Status(202, {"task_id": str(result.id)})
