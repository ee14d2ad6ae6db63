"""Customers' personal fields encrypted at rest, with blind indexes (issue 19, kehu.core.crypto)."""

from django.db import migrations

from kehu.core.crypto import BlindIndexField, EncryptedCharField
from kehu.core.migration_ops import add_text_columns, encrypt_columns, encrypt_rows


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0027_customer_version"),
        ("contacts", "0006_encrypt_personal"),
    ]

    operations = [
        encrypt_columns(
            "customers",
            "customer",
            {
                "address": EncryptedCharField(blank=True, max_length=300, verbose_name="address"),
                "phone": EncryptedCharField(blank=True, max_length=40, verbose_name="phone"),
                "email": EncryptedCharField(blank=True, max_length=254, verbose_name="email"),
                "phone_unusable": EncryptedCharField(
                    blank=True, max_length=64, verbose_name="unusable phone"
                ),
                "phone_partial": EncryptedCharField(
                    blank=True, max_length=32, verbose_name="partial phone"
                ),
            },
            remove_indexes=("customer_phone_idx", "customer_email_idx"),
        ),
        add_text_columns(
            "customers",
            "customer",
            {
                "phone_bidx": BlindIndexField(db_index=True, kind="phone", source="phone"),
                "phone_tail_bidx": BlindIndexField(db_index=True, kind="tail", source="phone"),
                "email_bidx": BlindIndexField(db_index=True, kind="email", source="email"),
                "email_domain_bidx": BlindIndexField(db_index=True, kind="domain", source="email"),
            },
        ),
        encrypt_rows("customers", "customer"),
    ]
