"""Web-form leads' e-mail and mobile encrypted at rest, with blind indexes (issue 19)."""

from django.db import migrations

from kehu.core.crypto import BlindIndexField, EncryptedCharField
from kehu.core.migration_ops import add_text_columns, encrypt_columns, encrypt_rows


class Migration(migrations.Migration):
    dependencies = [("capture", "0004_review_moved")]

    operations = [
        encrypt_columns(
            "capture",
            "lead",
            {
                "email": EncryptedCharField(blank=True, max_length=254, verbose_name="email"),
                "mobile": EncryptedCharField(blank=True, max_length=40, verbose_name="mobile"),
            },
        ),
        add_text_columns(
            "capture",
            "lead",
            {
                "email_bidx": BlindIndexField(db_index=True, kind="email", source="email"),
                "mobile_bidx": BlindIndexField(db_index=True, kind="phone", source="mobile"),
            },
        ),
        encrypt_rows("capture", "lead"),
    ]
