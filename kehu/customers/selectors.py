"""Scoped reads: every customer and contact read goes through here."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import (
    PII_ROLES,
    get_for,
    scope_for,
    scope_with_arms,
    sees_amount_bands,
)
from kehu.contacts.models import Contact
from kehu.contacts.selectors import contact_get_for
from kehu.core.crypto import blind
from kehu.core.errors import ValidationFailed, one_of
from kehu.core.regions import DISTRICT, Region, region_get
from kehu.core.text import split_list
from kehu.core.validators import AMOUNT_BANDS, parse_amount, parse_choice, parse_date

from .custom_fields import custom_fields_filter, custom_sort_field, custom_sorted
from .masking import filters_sensitive_values
from .models import Customer, Industry, Source
from .phone_suffix import customer_ids_by_phone_suffix as customer_ids_by_phone_suffix
from .saved_view_selectors import saved_view_get_for as saved_view_get_for  # their home
from .saved_view_selectors import saved_views_for as saved_views_for
from .segment_filter import segment_filter_for
from .validators import (
    BUDGET_BAND_ALIASES,
    SIZE_ALIASES,
    STATUS_ALIASES,
    industry_name,
    source_name,
)
from .value_filter import value_filter
from .won_filter import won_filter

__all__ = ["contact_get_for", "customer_get_for", "customer_queryset_for"]


def customer_queryset_for(user: User | Any, *, for_write: bool = False) -> QuerySet[Customer]:
    return scope_for(user, Customer.objects.all(), for_write=for_write)


def customer_list_scope(user: User | Any) -> tuple[QuerySet[Customer], list[Q] | None]:
    """The customers a list shows this user, and the branches of that scope for
    keyset_page(arms=...) (kehu.accounts.policy.scope_with_arms)."""
    return scope_with_arms(user, Customer.objects.all())


def customer_get_for(user: User | Any, customer_no: str, *, for_change: bool = False) -> Customer:
    """The customer with this number if the user may see it (else NotFound, 404); with
    for_change, also if they may change it (else PermissionDenied, 403)."""
    return get_for(
        user,
        Customer.objects.select_related("industry", "sub_industry", "source", "owner", "team"),
        for_change=for_change,
        what=_("customer"),
        customer_no=str(customer_no).strip().upper(),
    )


def customer_by_id_for(user: User | Any, customer_id: int, *, for_change: bool = False) -> Customer:
    return get_for(
        user,
        Customer.objects.select_related("owner", "team"),
        for_change=for_change,
        what=_("customer"),
        pk=customer_id,
    )


def region_q(region: Region) -> Q:
    """Customers in this division or under it: their codes form one range (440300 <= code <
    440400 for 深圳市), which the region_code index answers on both engines (a LIKE prefix would
    need a pattern index on PostgreSQL and case_sensitive_like on SQLite)."""
    if region.level == DISTRICT:
        return Q(region_code=region.code)
    upper = str(int(region.prefix) + 1).ljust(6, "0")
    return Q(region_code__gte=region.code, region_code__lt=upper)


def customer_stale_q(now: datetime) -> Q:
    """Customers with no interaction for KEHU_STALE_DAYS (else counted from the first contact
    or the creation)."""
    cutoff = now - timedelta(days=settings.KEHU_STALE_DAYS)
    cutoff_day = timezone.localtime(cutoff).date()
    never = Q(last_interaction_at__isnull=True)
    return (
        Q(last_interaction_at__lt=cutoff)
        | (never & Q(first_contact_date__lt=cutoff_day))
        | (never & Q(first_contact_date__isnull=True, created_at__lt=cutoff))
    )


def industry_lookup(value: str) -> tuple[Industry | None, Industry | None]:
    """'制造业', '汽车零部件', '制造业 › 汽车零部件' or '制造业/汽车零部件' -> (top, sub)."""
    text = value.strip()
    for sep in ("›", ">", "/", "-", "|"):
        if sep in text:
            top_name, _sep, sub_name = (part.strip() for part in text.partition(sep))
            top = Industry.objects.filter(parent__isnull=True, name=top_name).first()
            sub = (
                Industry.objects.filter(parent=top, name=sub_name).first()
                if top and sub_name
                else None
            )
            if top and (sub or not sub_name):
                return top, sub
    top = Industry.objects.filter(parent__isnull=True, name=text).first()
    if top:
        return top, None
    sub = Industry.objects.filter(parent__isnull=False, name=text).select_related("parent").first()
    if sub:
        return sub.parent, sub
    alias = industry_name(text)  # the standard's own name (零售业 -> 批发和零售业)
    if alias != text:
        return industry_lookup(alias)
    return None, None


def source_lookup(value: str) -> Source | None:
    text = value.strip()
    found = Source.objects.filter(Q(name=text) | Q(code=text.lower())).first()
    if found is None and source_name(text) != text:
        found = Source.objects.filter(name=source_name(text)).first()
    return found


# --- List filters, shared by the API, the list page and (later) exports.

ORDERINGS = {
    "newest": "-id",
    "oldest": "id",
    "customer_no": "customer_no",
    "-customer_no": "-customer_no",
    "name": "name_sort",  # pinyin order (Customer.name_sort)
    "-name": "-name_sort",
    "updated_at": "updated_at",
    "-updated_at": "-updated_at",
    "created_at": "id",
    "-created_at": "-id",
    "budget_amount": "budget_amount",
    "-budget_amount": "-budget_amount",
    "completeness": "completeness",
    "-completeness": "-completeness",
    # The list's other columns: grouped by the value's stored key (a status code, a dictionary
    # entry's or a user's id: the dictionaries' own order), each served by an index.
    "status": "status",
    "-status": "-status",
    "industry": "industry_id",
    "-industry": "-industry_id",
    "owner": "owner_id",
    "-owner": "-owner_id",
    "team": "team_id",
    "-team": "-team_id",
    "last_interaction": "last_interaction_at",
    "-last_interaction": "-last_interaction_at",
}


def customer_order_known(order_key: str) -> bool:
    """Whether the list sorts by this key: ORDERINGS, or cf_<key> / -cf_<key> of an active
    customer field."""
    return order_key in ORDERINGS or custom_sort_field(order_key) is not None


def customer_ordered(
    queryset: QuerySet[Customer], order_key: str
) -> tuple[QuerySet[Customer], str]:
    """(queryset, keyset order) for a list's order key; a custom field's key annotates the
    queryset with its typed sort key (custom_fields.CustomSortKey). ValidationFailed for an
    unknown key."""
    if order_key in ORDERINGS:
        return queryset, ORDERINGS[order_key]
    found = custom_sorted(queryset, order_key)
    if found is None:
        raise ValidationFailed({"order": [one_of([*ORDERINGS, "cf_<key>", "-cf_<key>"])]})
    return found


def _is_id(digits: str) -> bool:
    """Whether a string of digits fits a database id (SQLite raises OverflowError beyond)."""
    return int(digits) < 2**63


def customer_filter(queryset: QuerySet[Customer], params: dict[str, Any]) -> QuerySet[Customer]:
    """Apply list filters; a bad filter value is a ValidationFailed naming the parameter."""
    errors: dict[str, list[str]] = {}
    qs = queryset

    def value(key: str) -> str:
        raw = params.get(key)
        return "" if raw is None else str(raw).strip()

    if value("segment"):  # a saved segment's filters (kehu.segments), then the others beside it
        try:
            segment = segment_filter_for(params.get("_user"), value("segment"))
        except ValidationFailed as exc:
            errors.update(exc.errors)
        else:
            qs = customer_filter(qs, {**segment.params, "_user": params.get("_user")})
    if value("industry"):
        top, sub = industry_lookup(value("industry"))
        if top is None:
            errors["industry"] = [_("Unknown industry '%(value)s'.") % {"value": value("industry")}]
        elif sub is not None:
            qs = qs.filter(sub_industry=sub)
        else:
            qs = qs.filter(industry=top)
    if value("sub_industry"):
        top, sub = industry_lookup(value("sub_industry"))
        if sub is None:
            errors["sub_industry"] = [
                _("Unknown sub-industry '%(value)s'.") % {"value": value("sub_industry")}
            ]
        else:
            qs = qs.filter(sub_industry=sub)
    for key, aliases, field in (
        ("status", STATUS_ALIASES, "status"),
        ("size", SIZE_ALIASES, "size"),
        ("budget_band", BUDGET_BAND_ALIASES, "budget_band"),
    ):
        if value(key):
            try:
                choices = [parse_choice(v, aliases) for v in value(key).split(",") if v.strip()]
                qs = qs.filter(**{f"{field}__in": choices})
            except Exception as exc:  # ValidationError
                errors[key] = list(getattr(exc, "messages", [str(exc)]))
    if value("quality"):  # one or several, comma-separated (incomplete,needs_info)
        picked = split_list(value("quality"))
        if any(code not in Customer.Quality.values for code in picked):
            errors["quality"] = [one_of(Customer.Quality.values)]
        qs = qs.filter(quality__in=picked)
    if value("incomplete") in ("1", "true", "yes"):
        qs = qs.filter(quality=Customer.Quality.INCOMPLETE)
    if value("pool"):  # unassigned / the team pool: no owner (a team's pool, or no team at all)
        flag = value("pool").lower()
        if flag in ("1", "true", "yes", "on"):
            qs = qs.filter(owner__isnull=True)
        elif flag in ("0", "false", "no", "off"):
            qs = qs.filter(owner__isnull=False)
        else:
            errors["pool"] = [_("Give true or false.")]
    if value("source"):
        source = source_lookup(value("source"))
        if source is None:
            errors["source"] = [_("Unknown source '%(value)s'.") % {"value": value("source")}]
        else:
            qs = qs.filter(source=source)
    bands = sees_amount_bands(params.get("_user"))
    for key, lookup in (("budget_min", "gte"), ("budget_max", "lte")):
        if value(key):
            try:
                amount = parse_amount(value(key))
            except Exception as exc:
                errors[key] = list(getattr(exc, "messages", [str(exc)]))
            else:
                qs = qs.filter(
                    _band_filter(amount, lookup) if bands else _amount_filter(amount, lookup)
                )
    if bands and str(params.get("order") or "").lstrip("-") == "budget_amount":
        errors["order"] = [_("Budgets are shown to you as bands; they cannot be sorted exactly.")]
    if value("owner"):
        owner = value("owner")
        if owner == "me":
            qs = qs.filter(owner=params.get("_user"))
        elif owner.isdecimal() and owner.isascii():
            qs = qs.filter(owner_id=int(owner)) if _is_id(owner) else qs.none()
        else:
            qs = qs.filter(Q(owner__username=owner) | Q(owner__display_name=owner))
    if value("team"):
        team = value("team")
        if team.isdecimal() and team.isascii():
            qs = qs.filter(team_id=int(team)) if _is_id(team) else qs.none()
        else:
            qs = qs.filter(team__name=team)
    for key in ("province", "city", "district"):
        if value(key):
            qs = qs.filter(**{key: value(key)})
    if value("region"):
        region = region_get(value("region"))
        if region is None:
            errors["region"] = [
                _("'%(value)s' is not an administrative division code.")
                % {"value": value("region")}
            ]
        else:
            qs = qs.filter(region_q(region))
    if value("kind"):
        qs = qs.filter(kind=value("kind"))
    if value("external_id"):
        qs = qs.filter(external_id=value("external_id"))
    if value("customer_no"):  # chosen rows (the list's bulk export): comma-separated numbers
        numbers = [n.strip().upper() for n in value("customer_no").split(",") if n.strip()]
        if len(numbers) > MAX_CHOSEN:
            errors["customer_no"] = [
                _("Choose at most %(count)s customers at once.") % {"count": MAX_CHOSEN}
            ]
        else:
            qs = qs.filter(customer_no__in=numbers)
    qs = _tag_filter(qs, params, errors)
    qs = value_filter(qs, params, errors)  # octant=, grade=, lifecycle=, rfm_min/max (issue 17)
    qs = won_filter(qs, params, errors)  # won_from=, won_to=: became 成交 on those days
    qs = custom_fields_filter(qs, params, errors)  # cf_<key>=value (issue 15)
    if "_user" in params and filters_sensitive_values(params):  # only where it is seen whole
        qs = qs.filter(_contact_details_q(params["_user"]) or Q())
    for key, field in (
        ("created_from", "created_at__gte"),
        ("created_to", "created_at__lt"),
        ("last_contact_from", "last_interaction_at__gte"),
        ("last_contact_to", "last_interaction_at__lt"),
    ):
        if value(key):
            try:
                day = parse_date(value(key))
            except Exception as exc:  # ValidationError
                errors[key] = list(getattr(exc, "messages", [str(exc)]))
                continue
            if key.endswith("_to"):  # the whole last day, in the user's time zone
                day += timedelta(days=1)
            start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
            qs = qs.filter(**{field: start})
    if value("idle_days"):  # no interaction for at least N days (never contacted included)
        days = value("idle_days")
        if not (days.isdecimal() and days.isascii() and 0 < int(days) <= 36500):
            errors["idle_days"] = [_("A number of days from 1 to 36500.")]
        else:
            cutoff = timezone.now() - timedelta(days=int(days))
            # NOT (at >= cutoff AND at IS NOT NULL): one walk of the last-contact index; the OR
            # of "< cutoff" and "IS NULL" made SQLite gather every row id into a set first
            # (1.5 s to count 900,000 of 1,000,000 customers, against 0.3 s).
            qs = qs.exclude(last_interaction_at__gte=cutoff)
    if value("q"):
        qs = customer_search(qs, value("q"), user=params.get("_user"))
    if errors:
        raise ValidationFailed(errors)
    return qs


TAG_MODES = ("all", "any", "none")
MAX_CHOSEN = 1000  # customers one bulk action (or a customer_no= filter) may name


def _tag_filter(
    qs: QuerySet[Customer], params: dict[str, Any], errors: dict[str, list[str]]
) -> QuerySet[Customer]:
    """tag= (repeatable, or comma-separated) with tag_mode all (default) / any / none: one
    EXISTS per tag (all) or one for the set, answered from the customer's tag rows; tag_type=
    (a tag type's code) keeps the customers with a tag of that type."""
    raw = params.get("tag") or []
    names = [raw] if isinstance(raw, str) else list(raw)
    tags = list(dict.fromkeys(t for n in names for t in split_list(n)))
    mode = str(params.get("tag_mode") or "all").strip()
    if mode not in TAG_MODES:
        errors["tag_mode"] = [one_of(TAG_MODES)]
        return qs
    # Looked up by name: the tags app sits above this one.
    customer_tag = apps.get_model("tags", "CustomerTag")
    type_code = str(params.get("tag_type") or "").strip()
    if type_code:  # tag_type=<code>: customers with any tag of that type (issue 17)
        codes = list(
            apps.get_model("tags", "TagType")._default_manager.values_list("code", flat=True)
        )
        if type_code not in codes:
            errors["tag_type"] = [one_of(codes)]
            return qs
        of_type = customer_tag._default_manager.filter(customer=OuterRef("pk"))
        qs = qs.filter(Exists(of_type.filter(tag__type__code=type_code)))
    if not tags:
        return qs
    tag_model = apps.get_model("tags", "Tag")
    known = dict(tag_model._default_manager.filter(name__in=tags).values_list("name", "pk"))
    unknown = [t for t in tags if t not in known]
    if unknown:
        errors["tag"] = [_("Unknown tag: %(tags)s.") % {"tags": "、".join(unknown)}]
        return qs
    # all / any over a wide scope (everyone, a team, support's or marketing's statuses): the
    # customers of the tags' rows (pk IN (SELECT customer_id ... WHERE tag_id ...)), which SQLite
    # reads through the tag's index and probes by id; an EXISTS per customer walked every
    # customer in scope (3 s to count "any of two tags" at 1,000,000, issue 17). A rep's own book
    # is narrow: there the owner index leads and an EXISTS per customer is cheaper (SQLite took
    # the id list first otherwise: 1.2 s against 0.16 s).
    rows = customer_tag._default_manager.order_by()
    if getattr(params.get("_user"), "role", None) == Role.REP:
        linked = rows.filter(customer=OuterRef("pk"))
        if mode == "all":
            for pk in known.values():
                qs = qs.filter(Exists(linked.filter(tag_id=pk)))
            return qs
        having = Exists(linked.filter(tag_id__in=list(known.values())))
        return qs.filter(having) if mode == "any" else qs.filter(~having)
    if mode == "all":
        for pk in known.values():
            qs = qs.filter(pk__in=rows.filter(tag_id=pk).values("customer_id"))
        return qs
    if mode == "any":
        return qs.filter(pk__in=rows.filter(tag_id__in=list(known.values())).values("customer_id"))
    having = Exists(rows.filter(customer=OuterRef("pk"), tag_id__in=list(known.values())))
    return qs.filter(~having)


def _amount_filter(amount: Decimal, lookup: str) -> Q:
    return Q(**{f"budget_amount__{lookup}": amount})


def _band_filter(amount: Decimal, lookup: str) -> Q:
    """budget_min/budget_max for those who see budgets as bands (policy.AMOUNT_BAND_ROLES): by the
    band the amount falls in, so that two amounts of one band filter alike and no exact budget
    can be found by bisecting (budget_min=123456 is "from the 10-50万 band up")."""
    low, high = Decimal(0), None
    for upper, _label in AMOUNT_BANDS:
        if amount < upper:
            high = Decimal(upper)
            break
        low = Decimal(upper)
    if lookup == "gte":
        return Q(budget_amount__gte=low)
    return Q(budget_amount__lt=high) if high is not None else Q(budget_amount__isnull=False)


def _contact_details_q(user: Any) -> Q | None:
    """Customers whose phones and e-mails `user` sees whole (policy.can_see_pii as a filter):
    the own ones, a manager's team's; None: all (PII_ROLES)."""
    if getattr(user, "role", None) in PII_ROLES:
        return None
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    whole = Q(owner=user.pk)
    if user.role == Role.MANAGER and user.team_id:
        whole |= Q(team=user.team_id)
    return whole


def customer_search(
    queryset: QuerySet[Customer], q: str, *, user: Any = None
) -> QuerySet[Customer]:
    """The list's search box: what /search/ finds (settings.KEHU_CUSTOMER_SEARCH: pinyin,
    initials, phone suffix, substrings, typos), plus a customer-number prefix and a whole credit
    code; a query too short for the substring index (one character, or two Latin ones: HP, 3M)
    also matches names containing it."""
    q = q.strip()
    hook = getattr(settings, "KEHU_CUSTOMER_SEARCH", "")
    if not q or not hook or user is None:
        return customer_simple_search(queryset, q, user=user)
    ids = import_string(hook)(user, q)
    condition = Q(pk__any_of=ids)  # one array on PostgreSQL (kehu.core.db.ids_in)
    upper = q.upper()
    if upper.startswith("CX") and len(upper) >= 8:
        condition |= Q(customer_no__startswith=upper)
    if len(upper) == 18 and upper.isalnum():
        condition |= Q(credit_code=upper)
    if len(q) < 2 or (q.isascii() and len(q) < 3):  # too short for the substring index
        condition |= Q(name__icontains=q)
    return queryset.filter(condition)


def customer_simple_search(
    queryset: QuerySet[Customer], q: str, *, user: Any = None
) -> QuerySet[Customer]:
    """The list page's simple search: number, name, credit code or a contact's phone/e-mail.

    A phone or e-mail matches only customers whose contact details the user sees whole (a suffix
    of a number they see masked would rebuild it, issue 14.17); without a user, none. The global
    search (kehu.search) finds a whole number for those allowed to reveal it, as a reveal."""
    q = q.strip()
    if not q:
        return queryset
    upper = q.upper()
    if upper.startswith("CX") and len(upper) >= 8:
        return queryset.filter(customer_no__startswith=upper)
    condition = Q(name__icontains=q) | Q(name_normalized__contains=q.lower())
    if len(upper) == 18 and upper.isalnum():
        condition |= Q(credit_code=upper)
    details = Q()
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 7 and len(digits) == len(q.replace(" ", "").replace("-", "").lstrip("+")):
        details |= Q(pk__in=customer_ids_by_phone_suffix(digits))
    if "@" in q:
        email = blind("email", q)
        details |= Q(pk__in=Contact.objects.filter(email_bidx=email).values("customer_id")) | Q(
            email_bidx=email
        )
    if details:
        whole = _contact_details_q(user)
        condition |= details if whole is None else details & whole
    return queryset.filter(condition)
