"""A landline with a four-digit area code and an eight-digit number (0755-12345678: Shenzhen,
Hangzhou, Suzhou, Dongguan…) was read as 75512345678 for its blind index and search terms, so
its full number found nothing, and 400 / 800 numbers gained a spurious 0
(kehu.core.normalize.phone_digits). And a contact's pinyin read 曾志伟 as ceng zhiwei: a surname is
now read as one (zeng; kehu.core.normalize.pinyin surname_read). The phone blind indexes and the
contacts' pinyin are computed again and, when any of them changed, the search index is rebuilt
(as search migration 0001 does)."""

from typing import Any

from django.db import migrations
from django.db.models import Q

_PHONES = (
    ("customers.Customer", (("phone", "phone_bidx"),)),
    ("contacts.Contact", (("mobile", "mobile_bidx"), ("landline", "landline_bidx"))),
    ("capture.Lead", (("mobile", "mobile_bidx"),)),
)


def _renew(apps: Any, schema_editor: Any) -> None:
    from kehu.core.crypto import blind
    from kehu.core.normalize.pinyin import _COMPOUND_SURNAMES, _SURNAMES, name_pinyin
    from kehu.search.services import search_reindex

    changed = 0
    contact = apps.get_model("contacts.Contact")
    surnamed = Q()
    for surname in (*_SURNAMES, *_COMPOUND_SURNAMES):
        surnamed |= Q(name__startswith=surname)
    names = contact.objects.filter(surnamed).values_list("pk", "name", "name_pinyin")
    readings = [
        (pk, reading)
        for pk, name, stored in names.iterator(chunk_size=5000)
        if (reading := name_pinyin(name)) != stored
    ]
    for pk, reading in readings:
        contact.objects.filter(pk=pk).update(name_pinyin=reading)
    changed += len(readings)
    for label, pairs in _PHONES:
        model = apps.get_model(label)
        for source, index in pairs:
            rows = model.objects.exclude(**{index: ""}).values_list("pk", source, index)
            stale = [
                (pk, token)
                for pk, value, stored in rows.iterator(chunk_size=5000)
                if (token := blind("phone", value)) != stored
            ]
            for pk, token in stale:
                model.objects.filter(pk=pk).update(**{index: token})
            changed += len(stale)
    if changed:
        models = tuple(
            apps.get_model(label)
            for label in ("customers.Customer", "contacts.Contact", "interactions.Interaction")
        )
        search_reindex(models=models)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_blind_terms_reindex"),
        ("customers", "0029_customfield_personal_class"),
        ("contacts", "0006_encrypt_personal"),
        ("capture", "0005_lead_encrypted"),
        ("interactions", "0007_interaction_period_idx"),
    ]

    operations = [migrations.RunPython(_renew, migrations.RunPython.noop)]
