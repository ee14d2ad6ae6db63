"""A data-subject request's phone and e-mail encrypted at rest (issue 19, kehu.core.crypto)."""

from django.db import migrations

from kehu.core.crypto import EncryptedCharField
from kehu.core.migration_ops import encrypt_columns, encrypt_rows


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_consent_basis")]

    operations = [
        encrypt_columns(
            "privacy",
            "subjectrequest",
            {
                "phone": EncryptedCharField(blank=True, max_length=40, verbose_name="phone"),
                "email": EncryptedCharField(blank=True, max_length=254, verbose_name="email"),
            },
        ),
        encrypt_rows("privacy", "subjectrequest"),
    ]
