"""One input row -> a clean customer (and decision maker), by the customers' own rule set.

customer_clean is applied to every row; the dictionary fields (industry, source, owner), which it
would look up with a query each, are resolved here from dictionaries loaded once per import, with
the same matching and the same messages. Errors are keyed by the file's column header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts.models import Role, User
from kehu.core.bulk import fresh
from kehu.core.errors import ValidationFailed
from kehu.core.normalize.pinyin import name_sort_key
from kehu.core.text import clean_text
from kehu.core.validators import parse_phones, phone_partial
from kehu.customers.custom_fields import custom_fields_of
from kehu.customers.models import Contact, Customer, CustomField, Industry, Source
from kehu.customers.services import customer_clean
from kehu.customers.validators import (
    industry_name,
    name_pinyin,
    normalize_company_name,
    source_name,
)

from .row_parts import keep_aside, maker_custom_fields, row_payload
from .validators import TARGETS

DICTIONARY_FIELDS = ("industry", "sub_industry", "source", "owner")
# The payload keys that give a way to reach the customer (a row needs one of them).
REACH_TARGETS = (
    "decision_maker.mobile",
    "decision_maker.landline",
    "phone",
    "decision_maker.email",
    "email",
    "address",
)

# --- Speed without a second rule set. An import's rows repeat a few values in most columns
# (size, status, date, budget, region), so customer_clean is called on those field groups once
# per distinct value and remembered; the fields that differ on every row (name, numbers, e-mail,
# the decision maker) go through customer_clean on every row. The groups are independent in
# customer_clean (no rule reads across them), so the union of the results is what one call on the
# whole payload returns; the errors are put back in customer_clean's order. test_fast_clean.py
# checks this on generated rows, and clean_row_reference() is the plain one-call path.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("kind",),
    ("size",),
    ("first_contact_date",),
    ("status",),
    ("budget_band", "budget_amount"),
    ("province", "city", "district", "region", "region_code"),
)
_GROUPED = frozenset(k for group in _GROUPS for k in group)
# Keys in the order customer_clean writes their errors (decision_maker.* come last).
_ERROR_ORDER = {
    key: rank
    for rank, key in enumerate(
        (
            "kind", "name", "credit_code", "size", "ownership", "address", "mobile", "phone", "email",
            "first_contact_date", "status", "status_reason", "budget_band", "budget_amount",
            "external_source", "external_id", "notes", "region_code", "province", "city",
            "district", "owner", "industry", "sub_industry", "source",
        )
    )
}  # fmt: skip
_LATE_BAND = "budget_band (against the amount)"
_PER_ROW = frozenset(_ERROR_ORDER) - _GROUPED | {"decision_maker", "custom_fields"}
_MEMO_LIMIT = 20_000  # distinct values remembered per group (memory stays flat)


@lru_cache(maxsize=100_000)
def _name_pinyin(name: str) -> str:
    return name_pinyin(name)  # people's names repeat; the function is pure


class Dictionaries:
    """Industries, sources and active users, loaded once: no query per row."""

    def __init__(self) -> None:
        industries = list(Industry.objects.select_related("parent"))
        self.tops = {i.name: i for i in industries if i.parent_id is None}
        self.subs: dict[tuple[str, str], Industry] = {}
        self.sub_by_name: dict[str, Industry] = {}
        for i in industries:
            if i.parent_id is not None and i.parent is not None:
                self.subs[(i.parent.name, i.name)] = i
                self.sub_by_name.setdefault(i.name, i)
        self.sources: dict[str, Source] = {}
        for s in Source.objects.all():
            self.sources.setdefault(s.code, s)
            self.sources[s.name] = s
        self.users: dict[str, User] = {}
        for u in User.objects.filter(is_active=True).select_related("team").order_by("-id"):
            self.users[str(u.pk)] = u
            if u.display_name:
                self.users[f"name:{u.display_name}"] = u
            self.users[f"name:{u.username}"] = u
        # The active custom fields of customers: checked on every row without a query each.
        self.custom_fields = custom_fields_of(CustomField.Entity.CUSTOMER)
        self.contact_fields = custom_fields_of(CustomField.Entity.CONTACT)  # decision makers
        self.resolved: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, list[str]]]] = {}

    def resolve(
        self, lookups: dict[str, str], values: dict[str, Any], actor: User | None
    ) -> dict[str, list[str]]:
        """_resolve, remembered by the cells' values (they repeat: a few industries, sources
        and owners): the same values set in the same order, the same errors (new lists)."""
        key = (*lookups.items(), id(actor))
        found = self.resolved.get(key)
        if found is None:
            assigned: dict[str, Any] = {}
            found = (assigned, _resolve(lookups, assigned, self, actor))
            if len(self.resolved) >= _MEMO_LIMIT:
                self.resolved.clear()
            self.resolved[key] = found
        values.update(found[0])
        return {key: list(messages) for key, messages in found[1].items()}

    def industry(self, value: str) -> tuple[Industry | None, Industry | None]:
        """Same forms as customers.selectors.industry_lookup: '制造业', '汽车零部件', '制造业/汽车零部件'."""
        text = value.strip()
        for sep in ("›", ">", "/", "-", "|"):
            if sep in text:
                top_name, _sep, sub_name = (part.strip() for part in text.partition(sep))
                top = self.tops.get(top_name)
                sub = self.subs.get((top_name, sub_name)) if top and sub_name else None
                if top and (sub or not sub_name):
                    return top, sub
        if text in self.tops:
            return self.tops[text], None
        sub = self.sub_by_name.get(text)
        if sub:
            return sub.parent, sub
        alias = industry_name(text)  # the standard's own name (零售业 -> 批发和零售业)
        return self.industry(alias) if alias != text else (None, None)

    def source(self, value: str) -> Source | None:
        text = value.strip()
        return (
            self.sources.get(text)
            or self.sources.get(text.lower())
            or self.sources.get(source_name(text))
        )

    def user(self, value: str) -> User | None:
        return self.users.get(value) if value.isdigit() else self.users.get(f"name:{value}")


@dataclass
class CleanRow:
    number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    maker: dict[str, Any] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    external_id: str = ""
    payload: dict[str, Any] = field(default_factory=dict)  # the raw payload, for updates
    # Valid, but values, maker and payload not filled in (a worker built it): see
    # pipeline.complete().
    partial: bool = False
    # Kept although a phone in it could not be used: {column: [why]} (a warning, not an error),
    # and what was set aside: [(target, value as given, masked partial or "")].
    warnings: dict[str, list[str]] = field(default_factory=dict)
    aside: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def clean_row(
    number: int,
    raw: dict[str, str],
    mapping: dict[str, str],
    dictionaries: Dictionaries,
    *,
    actor: User | None,
    external_source: str,
    memo: CleanMemo | None = None,
) -> CleanRow:
    """Validate one row with customer_clean; errors keyed by column header.

    With `memo` (one per import), the repeating field groups are cleaned once per distinct value.
    """
    payload, columns = row_payload(raw, mapping)
    maker_custom, errors = maker_custom_fields(payload, dictionaries.contact_fields)
    aside = _set_aside(payload)
    external_id = payload.get("external_id", "")
    # The report keeps an id that fits (customer_clean refuses a longer one, naming the column).
    row = CleanRow(
        number=number, raw=raw, external_id=external_id if len(external_id) <= 64 else ""
    )
    row.payload = {k: v for k, v in payload.items() if v}
    lookups = {key: payload.pop(key) for key in DICTIONARY_FIELDS if key in payload}
    values: dict[str, Any] = {}
    clean = memo.clean if memo is not None and memo.covers(payload) else _customer_clean
    try:
        values = clean(payload, actor, dictionaries.custom_fields)
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
    errors_lookup = dictionaries.resolve(lookups, values, actor)
    for key, messages in errors_lookup.items():
        errors.setdefault(key, []).extend(messages)
    if errors:  # the row fails anyway: name every problem at once, the phones too
        for target, _value, _partial, message in aside:
            errors.setdefault(target, []).append(message)
    if not errors:
        maker = values.pop("decision_maker", None)
        reachable = (
            values.get("phone")
            or values.get("email")
            or values.get("address")
            or (maker and (maker.get("mobile") or maker.get("landline") or maker.get("email")))
        )
        if not reachable and aside:
            for target, _value, _partial, message in aside:  # the phone was the only way
                errors.setdefault(target, []).append(message)
        elif not reachable:
            errors[_reach_columns(columns)] = [
                _("Give at least one way to reach the customer: a phone, an e-mail or an address.")
            ]
        elif aside:
            for target, _value, _partial, message in aside:
                row.warnings.setdefault(_column(target, columns), []).append(
                    f"{message} {ASIDE_NOTE}"
                )
            row.aside = [(target, value, partial) for target, value, partial, _m in aside]
        row.maker = {**maker, "custom_fields": maker_custom} if maker and maker_custom else maker
    if "owner" not in values and actor is not None and actor.role in (Role.REP, Role.MANAGER):
        values["owner"] = actor
    values["external_source"] = external_source
    row.values = values
    row.errors = {_column(key, columns): messages for key, messages in errors.items()}
    return row


PHONE_TARGETS = ("phone", "decision_maker.mobile", "decision_maker.landline")
ASIDE_NOTE = gettext_lazy("Kept aside, not used to reach the customer; marked 待补全.")


def _set_aside(payload: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Take out of the payload each phone that cannot be used (masked, without area code, not a
    number): [(target, value, masked partial, why)]. The row is kept when another way to reach
    the customer is left (clean_row)."""
    aside = []
    found = payload.get("decision_maker")
    maker: dict[str, Any] = found if isinstance(found, dict) else {}
    for target in PHONE_TARGETS:
        holder, key = (maker, target.partition(".")[2]) if "." in target else (payload, target)
        value = holder.get(key, "")
        if not value:
            continue
        try:
            parse_phones(value)
        except ValidationError as problem:
            holder.pop(key)
            aside.append((target, value, phone_partial(value), " ".join(problem.messages)))
    return aside


def aside_warnings(
    raw: dict[str, str], mapping: dict[str, str], customer: Customer, maker: Contact | None
) -> tuple[dict[str, list[str]], list[tuple[str, str, str]]]:
    """The warnings and phones set aside of a valid row a worker built (it sends neither back):
    the phones are parsed again only when a mapped phone cell is filled and the row's records
    have no phone, so most rows cost a few look-ups."""
    filled = [h for h, t in mapping.items() if t in PHONE_TARGETS and clean_text(raw.get(h, ""))]
    numbers = [customer.phone, *((maker.mobile, maker.landline) if maker is not None else ())]
    if not filled or len([n for n in numbers if n]) >= len(filled):
        return {}, []
    payload, columns = row_payload(raw, mapping)
    aside = _set_aside(payload)
    warnings: dict[str, list[str]] = {}
    for target, _value, _partial, message in aside:
        warnings.setdefault(_column(target, columns), []).append(f"{message} {ASIDE_NOTE}")
    return warnings, [(target, value, partial) for target, value, partial, _m in aside]


def _customer_clean(
    payload: dict[str, Any], actor: User | None, custom_fields: list[CustomField] | None = None
) -> dict[str, Any]:
    return customer_clean(payload, actor=actor, creating=True, custom_fields=custom_fields)


class CleanMemo:
    """customer_clean by field group, remembering the groups whose values repeat (see _GROUPS)."""

    def __init__(self) -> None:
        self.memo: list[dict[tuple[str, ...], tuple[dict[str, Any], dict[str, list[str]]]]] = [
            {} for _group in _GROUPS
        ]

    @staticmethod
    def covers(payload: dict[str, Any]) -> bool:
        """Whether every key is one this path knows (else the plain path is used)."""
        return all(key in _GROUPED or key in _PER_ROW for key in payload)

    def clean(
        self,
        payload: dict[str, Any],
        actor: User | None,
        custom_fields: list[CustomField] | None = None,
    ) -> dict[str, Any]:
        per_row = {k: v for k, v in payload.items() if k not in _GROUPED}
        values: dict[str, Any] = {}
        parts: list[dict[str, list[str]]] = []
        try:
            values.update(
                customer_clean(per_row, actor=actor, creating=True, custom_fields=custom_fields)
            )
        except ValidationFailed as exc:
            parts.append(exc.errors)
        for group, memo in zip(_GROUPS, self.memo, strict=True):
            given = tuple(key for key in group if key in payload)
            if not given:
                continue
            key = tuple(str(payload[k]) for k in given) + given
            found = memo.get(key)
            if found is None:
                found = self._clean_group({k: payload[k] for k in given}, actor)
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[key] = found
            values.update(found[0])
            if found[1]:
                parts.append(found[1])
        if parts:
            raise ValidationFailed(_merge_errors(parts))
        return values

    @staticmethod
    def _clean_group(
        data: dict[str, Any], actor: User | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            return customer_clean(data, actor=actor), {}
        except ValidationFailed as exc:
            errors: dict[str, Any] = exc.errors
        if "budget_band" in errors and "budget_amount" in data:
            try:
                customer_clean({"budget_band": data.get("budget_band")}, actor=actor)
            except ValidationFailed:
                pass
            else:  # the band is valid but disagrees with the amount: checked last
                errors = {_LATE_BAND: errors["budget_band"]}
        return {}, errors


def _merge_errors(parts: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """The errors of the groups in the order one customer_clean call would have written them."""
    ranked: list[tuple[float, int, str, list[str]]] = []
    for part in parts:
        last = -1.0
        for key, messages in part.items():
            if key.startswith("decision_maker"):
                rank = 1000.0  # contact_clean's errors come after all the customer's
            elif key == _LATE_BAND:
                key, rank = "budget_band", _ERROR_ORDER["source"] + 0.5
            else:
                rank = max(float(_ERROR_ORDER.get(key, 999)), last + 0.001)
                last = rank
            ranked.append((rank, len(ranked), key, list(messages)))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return {key: messages for _rank, _seq, key, messages in ranked}


def _column(key: str, columns: dict[str, str]) -> str:
    return columns.get(key) or key


def _reach_columns(columns: dict[str, str]) -> str:
    """Where a row with no way to reach the customer is reported: the file's columns that could
    have given one (决策人联系方式/邮箱/客户地址), else the fields to map a column to."""
    found = [columns[key] for key in REACH_TARGETS if columns.get(key)]
    if found:
        return "/".join(dict.fromkeys(found))
    return "/".join(str(TARGETS[key]) for key in ("phone", "email", "address"))


def _resolve(
    lookups: dict[str, str], values: dict[str, Any], d: Dictionaries, actor: User | None
) -> dict[str, list[str]]:
    """The dictionary fields, as customer_clean resolves them (same rules and messages)."""
    errors: dict[str, list[str]] = {}
    industry, sub_industry = lookups.get("industry", ""), lookups.get("sub_industry", "")
    top = sub = None
    if industry:
        top, sub = d.industry(industry)
        if top is None:
            errors["industry"] = [
                _("'%(value)s' is not in the industry dictionary.") % {"value": industry}
            ]
    if sub_industry:
        sub_top, sub = d.industry(sub_industry)
        if sub is None or (top is not None and sub_top != top):
            errors["sub_industry"] = [
                _("'%(value)s' is not a sub-industry of %(top)s.")
                % {"value": sub_industry, "top": top.name}
                if top
                else _("'%(value)s' is not a sub-industry.") % {"value": sub_industry}
            ]
        elif top is None and "industry" not in errors:
            top = sub_top
    if "industry" in lookups or "sub_industry" in lookups:
        values["industry"], values["sub_industry"] = top, sub
    if lookups.get("source"):
        source = d.source(lookups["source"])
        if source is None or not source.is_active:
            errors["source"] = [
                _("'%(value)s' is not a known customer source.") % {"value": lookups["source"]}
            ]
        else:
            values["source"] = source
    raw_owner = lookups.get("owner", "")
    if raw_owner:
        owner = d.user(raw_owner)
        role = actor.role if actor is not None else None
        if owner is None:
            errors["owner"] = [_("No active user '%(name)s'.") % {"name": raw_owner}]
        elif actor is None:
            values["owner"] = owner
        elif role == Role.REP and owner.pk != actor.pk:
            errors["owner"] = [_("A sales rep may only own customers themself; ask a manager.")]
        elif role == Role.MANAGER and actor.team_id and owner.team_id != actor.team_id:
            errors["owner"] = [_("A manager may assign customers within their own team only.")]
        else:
            values["owner"] = owner
    return errors


def build_customer(row: CleanRow, *, created_by: Any) -> tuple[Customer, Contact | None]:
    """Unsaved Customer and decision maker of a valid row (as customer_create would fill them)."""
    customer = fresh(Customer)  # Customer(created_by=…) without the constructor's work
    customer.created_by = created_by if getattr(created_by, "pk", None) else None
    for key, value in row.values.items():
        if key == "custom_fields":  # an empty cell leaves the field unset
            customer.custom_fields = {k: v for k, v in value.items() if v is not None}
        elif key not in ("decision_maker", "status_reason"):
            setattr(customer, key, value)
    customer.name_normalized = normalize_company_name(customer.name)
    customer.name_sort = name_sort_key(customer.name)
    customer.team = customer.owner.team if customer.owner else None
    maker = None
    if row.maker:
        maker = fresh(Contact)  # Contact(name_pinyin=…, **row.maker), as fresh() explains
        maker.name_pinyin = _name_pinyin(row.maker["name"])
        for key, value in row.maker.items():
            setattr(maker, key, value)
    for target, value, partial in row.aside:
        keep_aside(
            maker if target.startswith("decision_maker.") and maker else customer, value, partial
        )
    return customer, maker
