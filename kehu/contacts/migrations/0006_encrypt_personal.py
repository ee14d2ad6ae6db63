"""Contacts' personal fields encrypted at rest, with blind indexes (issue 19, kehu.core.crypto)."""

from django.db import migrations

from kehu.core.crypto import BlindIndexField, EncryptedCharField
from kehu.core.migration_ops import add_text_columns, encrypt_columns, encrypt_rows


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_contact_version")]

    operations = [
        encrypt_columns(
            "contacts",
            "contact",
            {
                "mobile": EncryptedCharField(blank=True, max_length=40, verbose_name="mobile"),
                "landline": EncryptedCharField(blank=True, max_length=40, verbose_name="landline"),
                "email": EncryptedCharField(blank=True, max_length=254, verbose_name="email"),
                "wechat": EncryptedCharField(blank=True, max_length=64, verbose_name="WeChat"),
                "qq": EncryptedCharField(blank=True, max_length=16, verbose_name="QQ"),
                "address": EncryptedCharField(blank=True, max_length=300, verbose_name="address"),
                "phone_unusable": EncryptedCharField(
                    blank=True, max_length=64, verbose_name="unusable phone"
                ),
                "phone_partial": EncryptedCharField(
                    blank=True, max_length=32, verbose_name="partial phone"
                ),
            },
            remove_indexes=("contact_landline_idx",),
        ),
        add_text_columns(
            "contacts",
            "contact",
            {
                "mobile_bidx": BlindIndexField(db_index=True, kind="phone", source="mobile"),
                "mobile_tail_bidx": BlindIndexField(db_index=True, kind="tail", source="mobile"),
                "landline_bidx": BlindIndexField(db_index=True, kind="phone", source="landline"),
                "email_bidx": BlindIndexField(db_index=True, kind="email", source="email"),
                "email_domain_bidx": BlindIndexField(db_index=True, kind="domain", source="email"),
            },
        ),
        encrypt_rows("contacts", "contact"),
    ]
