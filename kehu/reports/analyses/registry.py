"""The six analyses by name: what the index page lists, the pages and the API serve."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import User

from .acquisition import acquisition
from .activity import activity
from .distribution import distribution
from .filters import Filters
from .funnel import funnel
from .result import Result
from .team import team
from .value import value


@dataclass(frozen=True)
class Analysis:
    name: str
    title: Promise
    summary: Promise
    compute: Callable[[User, Filters], Result]

    @property
    def url_name(self) -> str:
        return f"analysis-{self.name}"


ANALYSES = {
    a.name: a
    for a in (
        Analysis(
            "acquisition",
            _("Acquisition"),
            _(
                "New customers and leads by source and channel, conversion to won, cost per customer."
            ),
            acquisition,
        ),
        Analysis(
            "activity",
            _("Activity"),
            _("Interactions per rep and customer, by method; response rate; timely entry."),
            activity,
        ),
        Analysis(
            "funnel",
            _("Funnel"),
            _("Lead → interested → won, opportunity stages, conversion and cycle time."),
            funnel,
        ),
        Analysis(
            "value",
            _("Customer value"),
            _("Revenue to date and expected, repurchase rate, churn rate, value grades."),
            value,
        ),
        Analysis(
            "distribution",
            _("Distribution"),
            _("Customers on a map of China by province and city, and by industry."),
            distribution,
        ),
        Analysis(
            "team",
            _("Team performance"),
            _("Revenue and won deals per head and team, against the targets."),
            team,
        ),
    )
}


def analysis_run(user: User, name: str, filters: Filters) -> Result:
    return ANALYSES[name].compute(user, filters)
