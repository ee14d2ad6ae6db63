"""The field registry (kehu.core.personal): every field of every Kehu model is classed."""

from __future__ import annotations

import pytest
from django.apps import apps

from kehu.core.crypto import EncryptedCharField
from kehu.core.logs import scrub
from kehu.core.personal import CLASSES, field_class, registry, scrubbed_names
from kehu.customers.masking import PII_FIELDS


def kehu_models() -> list:
    return [m for m in apps.get_models() if m.__module__.startswith("kehu.")]


def test_every_concrete_field_of_every_model_is_classed() -> None:
    missing = [
        f"{model._meta.label_lower}.{field.name}"
        for model in kehu_models()
        for field in model._meta.concrete_fields
        if field_class(model._meta.label_lower, field.name) is None
    ]
    assert missing == [], f"class these fields in kehu/core/personal.py: {missing}"


def test_the_registry_names_only_fields_that_exist() -> None:
    labels = {model._meta.label_lower: model for model in kehu_models()}
    stale = []
    for label, fields in registry().items():
        model = labels.get(label)
        names = {f.name for f in model._meta.concrete_fields} if model else set()
        stale += [f"{label}.{name}" for name in fields if name not in names]
    assert stale == []


def test_encrypted_in_the_registry_is_encrypted_in_the_model() -> None:
    for model in kehu_models():
        for field in model._meta.concrete_fields:
            classed = field_class(model._meta.label_lower, field.name)
            assert classed is not None
            assert classed.level in CLASSES
            assert classed.encrypted == isinstance(field, EncryptedCharField), (
                f"{model._meta.label_lower}.{field.name}"
            )


def test_the_main_contact_details_are_encrypted_and_masked() -> None:
    for label, name, mask in [
        ("customers.customer", "phone", "phone"),
        ("customers.customer", "email", "email"),
        ("customers.customer", "address", ""),
        ("contacts.contact", "mobile", "phone"),
        ("contacts.contact", "landline", "phone"),
        ("contacts.contact", "email", "email"),
        ("contacts.contact", "wechat", "identifier"),
        ("contacts.contact", "qq", "identifier"),
    ]:
        classed = field_class(label, name)
        assert classed is not None and classed.encrypted and classed.mask == mask, name
    # The pages' masking reads the registry.
    assert PII_FIELDS["mobile"] == "phone" and PII_FIELDS["wechat"] == "identifier"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("saved wechat=zhang_san3 for CX2026120001", "saved wechat=*** for CX2026120001"),
        ('{"qq": "12345", "status": "won"}', '{"qq": "***", "status": "won"}'),
        ("address='深圳市南山区科技园'", "address='***'"),
        ("phone_partial: 138****5678", "phone_partial: ***"),
    ],
)
def test_log_lines_lose_the_values_of_encrypted_fields(line: str, expected: str) -> None:
    assert "wechat" in scrubbed_names()
    assert scrub(line) == expected
