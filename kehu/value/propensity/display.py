"""What pages and the API say about the propensity models and one customer's likelihoods."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..models import CustomerValue, PropensityRun
from ..services.propensity import latest_runs

HIGH, MEDIUM = 0.6, 0.3


def band(probability: float | None) -> dict[str, Any] | None:
    if probability is None:
        return None
    if probability >= HIGH:
        code, label = "high", _("High")
    elif probability >= MEDIUM:
        code, label = "medium", _("Medium")
    else:
        code, label = "low", _("Low")
    return {
        "probability": round(probability, 4),
        "percent": round(probability * 100),
        "band": code,
        "label": label,
    }


def run_dict(run: PropensityRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "kind": run.kind,
        "status": run.status,
        "message": run.message,
        "trained_at": run.trained_at,
        "horizon_days": run.horizon_days,
        "test_cutoff": run.test_cutoff,
        "rows": run.rows,
        "positives": run.positives,
        "test_rows": run.test_rows,
        "test_positives": run.test_positives,
        "auc": run.auc,
        "brier": run.brier,
        "calibration": run.calibration,
        "scored": run.scored,
        "seconds": round(run.seconds, 2),
    }


def models_state() -> dict[str, Any]:
    """{kind: run}, whether each is on, and the message when off."""
    runs = latest_runs()
    state: dict[str, Any] = {"models": {}}
    messages = []
    for kind, run in runs.items():
        on = run is not None and run.status == PropensityRun.Status.OK
        state["models"][kind] = {"enabled": on, "run": run}
        if not on:
            messages.append(
                run.message if run else _("The propensity model has not been trained yet.")
            )
    state["enabled"] = any(m["enabled"] for m in state["models"].values())
    state["message"] = messages[0] if messages else ""
    return state


def customer_panel(customer: Any) -> dict[str, Any]:
    """The 360 partial's bands. The value row is the customer's cached `value` (the value panel
    on the same page has read it already); one more query for the model's date when there is a
    likelihood (the models are off, their scores cleared, when there is none)."""
    try:
        value = customer.value
    except CustomerValue.DoesNotExist:
        value = None
    out: dict[str, Any] = {"churn": None, "repurchase": None, "trained_at": None}
    if value is None or (value.churn_probability is None and value.repurchase_probability is None):
        return out
    out["churn"] = band(value.churn_probability)
    out["repurchase"] = band(value.repurchase_probability)
    out["trained_at"] = (
        PropensityRun.objects.filter(status=PropensityRun.Status.OK)
        .order_by("-trained_at", "-id")
        .values_list("trained_at", flat=True)
        .first()
    )
    return out


def customer_propensity(customer_id: int) -> dict[str, Any]:
    state = models_state()
    value = CustomerValue.objects.filter(customer_id=customer_id).first()
    out: dict[str, Any] = {"enabled": state["enabled"], "message": state["message"]}
    for kind, field in (("churn", "churn_probability"), ("repurchase", "repurchase_probability")):
        model = state["models"][kind]
        probability = getattr(value, field, None) if model["enabled"] else None
        out[kind] = band(probability)
        out[f"{kind}_trained_at"] = model["run"].trained_at if model["enabled"] else None
    return out
