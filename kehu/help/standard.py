"""The data standard, read from the code that enforces it: which fields customers, contacts and
interactions have (the models), which the standard requires (customers.validators'
STANDARD_FIELDS, the contact cleaner, interactions.validators' STANDARD_REQUIRED), the value
lists (the models' choices, the industry and source dictionaries, the provinces) and the tag
library (kehu.tags). Only the format rules are words, each next to the validator it describes;
the figures in them (budget bands, headcounts, the late-entry hours) come from the code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.contacts.models import Contact
from kehu.core.crypto import BlindIndexField
from kehu.core.regions import RegionsMissing, region_children
from kehu.customers.models import Customer, Industry, Source
from kehu.customers.validators import BUDGET_LIMITS, SIZE_LIMITS, STANDARD_FIELDS
from kehu.interactions.models import Interaction
from kehu.interactions.validators import STANDARD_REQUIRED
from kehu.tags.models import Tag

# Columns Kehu keeps for itself (search keys, sort keys, bookkeeping): not part of the standard.
INTERNAL = frozenset(
    {
        "id",
        "name_normalized",
        "name_sort",
        "name_pinyin",
        "phone_partial",
        "missing_fields",
        "custom_fields",
        "external_source",
        "external_id",
    }
)
# Fields Kehu fills in (numbers, scores, derived values, timestamps): shown, marked "system".
SYSTEM = frozenset(
    {
        "customer_no",
        "interaction_no",
        "team",
        "budget_band",
        "completeness",
        "quality",
        "incomplete_since",
        "last_interaction_at",
        "phone_unusable",
        "is_late_entry",
        "created_by",
        "created_at",
        "updated_at",
        "region_code",
    }
)
# Labels of fields whose models leave Django's default (the name with spaces, in English).
DEFAULT_LABELS = {"customer": gettext_lazy("customer"), "created_by": gettext_lazy("created by")}
# The decision maker's fields the standard requires (STANDARD_FIELDS' decision_maker_*).
DECISION_MAKER_FIELDS = {"decision_maker_name": "name", "decision_maker_title": "title"}
DECISION_MAKER_PHONE = "decision_maker_phone"


def _yuan(amount: Any) -> str:
    return f"{int(amount) // 10000}万"


def _rules() -> dict[str, str]:
    """Format rules by "entity.field", in the reader's language."""
    small, large = BUDGET_LIMITS
    few, many = SIZE_LIMITS
    phone = _(
        "A mainland mobile (11 digits) or a landline with its area code (0571-8888 6666, "
        "extension after 转 or -); stored as +86…; masked numbers (138****8000) are refused."
    )
    return {
        "customer.name": _(
            "A company's registered full name as on its business licence "
            "(深圳市腾讯计算机系统有限公司, not 腾讯); an individual's own name."
        ),
        "customer.credit_code": _(
            "Unified social credit code: 18 characters, the check character must match."
        ),
        "customer.size": _(
            "By headcount: small under %(few)s staff, medium %(few)s-%(many)s, large over "
            "%(many)s; a number of staff is turned into the size."
        )
        % {"few": few, "many": many},
        "customer.budget_amount": _(
            "Annual budget in yuan; the band follows it (under %(small)s, %(small)s-%(large)s, "
            "over %(large)s)."
        )
        % {"small": _yuan(small), "large": _yuan(large)},
        "customer.budget_band": _("Derived from the annual budget when one is given."),
        "customer.province": _(
            "Chosen from the national list (GB/T 2260), with city and district."
        ),
        "customer.phone": phone,
        "customer.email": _("A valid e-mail address."),
        "customer.first_contact_date": _(
            "A date: 2026-03-05, 2026/3/5 or 2026年3月5日, between 1900 and 2100."
        ),
        "customer.status": _(
            "成交 and 流失 need a reason; a rep's change to them waits for the manager's approval."
        ),
        "customer.owner": _(
            "The user responsible; a customer without one sits in its team's pool."
        ),
        "contact.name": _("The person's real name; required for every contact."),
        "contact.mobile": phone,
        "contact.landline": phone,
        "contact.email": _("A valid e-mail address."),
        "contact.qq": _("A QQ number has digits only."),
        "contact.left_on": _("The day someone left cannot be in the future."),
        "contact.is_primary": _("One primary contact per customer."),
        "interaction.occurred_at": _(
            "When it happened; logged more than %(hours)s hours later it is marked a late entry."
        )
        % {"hours": settings.KEHU_LATE_ENTRY_HOURS},
        **{f"interaction.{name}": str(message) for name, message in STANDARD_REQUIRED.items()},
    }


@dataclass
class FieldRow:
    name: str
    label: str
    type: str
    required: bool
    system: bool
    max_length: int | None
    values: str  # the value list's key, "" when free text
    rule: str
    help_text: str = ""


@dataclass
class EntityTable:
    key: str
    label: str
    fields: list[FieldRow] = field(default_factory=list)


def _type(model_field: models.Field[Any, Any]) -> str:
    if isinstance(model_field, models.ForeignKey):
        return "reference"
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, models.DateTimeField):
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, (models.DecimalField, models.IntegerField, models.FloatField)):
        return "number"
    return "text"


def _label(model_field: models.Field[Any, Any]) -> str:
    label = str(model_field.verbose_name)
    if label == model_field.name.replace("_", " "):
        return str(DEFAULT_LABELS.get(model_field.name, label))
    return label


def _required_names(key: str) -> set[str]:
    standard = {f.name for f in STANDARD_FIELDS}
    if key == "customer":
        return {"name"} | {n for n in standard if n not in DECISION_MAKER_FIELDS}
    if key == "contact":
        return {"name"}
    return set(STANDARD_REQUIRED)


def _table(key: str, model: type[models.Model], rules: dict[str, str]) -> EntityTable:
    required = _required_names(key)
    table = EntityTable(key=key, label=str(model._meta.verbose_name))
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        # Kehu's own bookkeeping: the edit counter and the blind indexes of encrypted values.
        if name in INTERNAL or name == "version" or isinstance(model_field, BlindIndexField):
            continue
        is_required = name in required or (
            not model_field.blank and model_field.editable and not model_field.has_default()
        )
        if key == "contact" and name in ("customer",):
            is_required = True
        values = ""
        if model_field.choices:
            values = f"{key}.{name}"
        elif name in ("industry", "sub_industry"):
            values = "industry"
        elif name == "source":
            values = "source"
        elif name == "province":
            values = "province"
        table.fields.append(
            FieldRow(
                name=name,
                label=_label(model_field),
                type=_type(model_field),
                required=is_required and name not in SYSTEM,
                system=name in SYSTEM,
                max_length=getattr(model_field, "max_length", None)
                if isinstance(model_field, models.CharField)
                else None,
                values=values,
                rule=rules.get(f"{key}.{name}", ""),
                help_text=str(model_field.help_text or ""),
            )
        )
    return table


def _decision_maker_note(table: EntityTable) -> None:
    """Contacts: the standard wants the decision maker's name, title and a phone."""
    wanted = set(DECISION_MAKER_FIELDS.values()) | {"mobile"}
    for row in table.fields:
        if row.name in wanted:
            note = _("Required for the decision maker (决策人).")
            row.rule = f"{note} {row.rule}".strip()


ENTITIES: tuple[tuple[str, type[models.Model]], ...] = (
    ("customer", Customer),
    ("contact", Contact),
    ("interaction", Interaction),
)


def standard_fields() -> list[EntityTable]:
    """The field tables of customers, contacts and interactions."""
    rules = _rules()
    tables = [_table(key, model, rules) for key, model in ENTITIES]
    _decision_maker_note(tables[1])
    return tables


@dataclass
class ValueList:
    key: str
    label: str
    values: list[dict[str, str]]


def standard_values() -> list[ValueList]:
    """Every value list the fields above draw from."""
    lists: list[ValueList] = []
    for key, model in ENTITIES:
        for model_field in model._meta.concrete_fields:
            if model_field.choices and model_field.name not in INTERNAL:
                lists.append(
                    ValueList(
                        key=f"{key}.{model_field.name}",
                        label=f"{model._meta.verbose_name} · {model_field.verbose_name}",
                        values=[
                            {"code": str(code), "label": str(label)}
                            for code, label in model_field.flatchoices
                        ],
                    )
                )
    industries = Industry.objects.filter(is_active=True, parent__isnull=True).order_by(
        "sort", "name"
    )
    children: dict[int, list[str]] = {}
    subs = Industry.objects.filter(is_active=True, parent__isnull=False).order_by("sort", "name")
    for sub in subs:
        children.setdefault(sub.parent_id or 0, []).append(sub.name)
    lists.append(
        ValueList(
            key="industry",
            label=str(_("industry")),
            values=[
                {
                    "code": i.code or i.name,
                    "label": i.name,
                    "children": "、".join(children.get(i.pk, [])),
                }
                for i in industries
            ],
        )
    )
    sources = Source.objects.filter(is_active=True).order_by("sort", "name")
    lists.append(
        ValueList(
            key="source",
            label=str(_("source")),
            values=[{"code": s.code, "label": s.name} for s in sources],
        )
    )
    try:
        provinces = [{"code": r.code, "label": r.name} for r in region_children("")]
    except RegionsMissing:
        provinces = []
    lists.append(ValueList(key="province", label=str(_("province")), values=provinces))
    return lists


@dataclass
class TagRow:
    name: str
    type: str
    description: str
    exclusive_group: str


def standard_tags() -> list[TagRow]:
    """The tag library: active tags by type."""
    tags = (
        Tag.objects.filter(is_active=True).select_related("type").order_by("type__position", "name")
    )
    return [
        TagRow(
            name=t.name,
            type=t.type.name if t.type is not None else "",
            description=t.description,
            exclusive_group=t.exclusive_group,
        )
        for t in tags
    ]


def standard_document() -> dict[str, Any]:
    """The whole standard as plain data (the API's JSON)."""
    return {
        "entities": [
            {"key": t.key, "label": t.label, "fields": [asdict(f) for f in t.fields]}
            for t in standard_fields()
        ],
        "value_lists": [asdict(v) for v in standard_values()],
        "tags": [asdict(t) for t in standard_tags()],
    }
