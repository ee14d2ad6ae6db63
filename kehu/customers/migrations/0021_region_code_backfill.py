"""Backfill region_code from the names customers already have, where they resolve.

One resolution and one UPDATE per distinct (province, city, district): a million customers
share a few thousand of them. Names stay as they are (only the code is added); a name that
does not resolve leaves the code empty.
"""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    customer = apps.get_model("customers", "Customer")
    named = customer.objects.filter(region_code="").exclude(province="", city="", district="")
    combos = named.values_list("province", "city", "district").distinct().order_by()
    if not combos.exists():
        return  # nothing to do: no need for the divisions file (a fresh database)
    from kehu.core.regions import region_resolve

    for province, city, district in list(combos):
        code = region_resolve(province, city, district).code
        if code:
            named.filter(province=province, city=city, district=district).update(
                region_code=code
            )


class Migration(migrations.Migration):
    dependencies = [("customers", "0020_customer_region_code")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
