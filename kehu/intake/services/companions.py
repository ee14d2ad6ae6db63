"""One company, several people: a rep's sheet often lists a customer once per person (the same
company, its phone or address, and 张三, then 李四). A later row naming the customer an earlier row
of the same file created is its duplicate, and its person, when another one, is added to that
customer as a contact instead of being dropped with the row. The first row's person stays the
decision maker; the later row's other values are not applied (the row stays skipped, its note
says what was added). A revert removes the customer the file created, and its contacts with it.

Only a customer this run created: one it updated keeps its other rows skipped (a revert could
not tell a contact this file added from one added by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from rapidfuzz.distance import Levenshtein

from kehu.accounts.models import User
from kehu.contacts.models import Contact
from kehu.core.errors import DomainError
from kehu.core.normalize.person import person_keys
from kehu.core.normalize.text import compact, fold
from kehu.customers.models import Customer
from kehu.customers.services import contact_create, contact_values_clean

from ..models import ImportRow
from ..pipeline import Context, complete
from ..rows import CleanRow


@dataclass
class Companion:
    """A skipped row (`result`) naming the customer row `earlier` created (`customer`: known
    already when that row was in an earlier batch, else the one this batch creates)."""

    result: ImportRow
    row: CleanRow
    earlier: int
    customer: Customer | None = None


def add_companions(
    companions: list[Companion],
    created: dict[int, tuple[Customer, Contact | None]],
    *,
    actor: User | None,
    dry_run: bool,
    context: Context | None,
) -> None:
    """Add each companion row's person to the customer its earlier row created (`created`: this
    batch's rows by number, with their decision makers; a dry run's are not saved)."""
    # Each customer's people, as they grow, by its row: the decision maker of one this batch
    # created, the contacts of one an earlier batch did (one query).
    known: dict[int, list[Contact]] = {
        number: [maker] if maker is not None else [] for number, (_c, maker) in created.items()
    }
    earlier_ids = {c.customer.pk: c.earlier for c in companions if c.customer is not None}
    for number in earlier_ids.values():
        known[number] = []
    for contact in Contact.objects.filter(customer_id__in=earlier_ids).order_by("pk"):
        known[earlier_ids[contact.customer_id]].append(contact)
    for companion in companions:
        customer = companion.customer
        if customer is None and companion.earlier in created:
            customer = created[companion.earlier][0]
        if customer is None:
            continue  # the earlier row was held for review, refused, or not in this run
        people = known[companion.earlier]
        written = _as_written(companion.row, context) if context is not None else {}
        if written.get("name") and not another_person(written, people):
            continue  # most such rows: the same person again, known by name (nothing cleaned)
        row = complete(companion.row, context) if context is not None else companion.row
        person = row.payload.get("decision_maker")
        if not isinstance(person, dict) or not another_person(person, people):
            continue
        try:
            values = contact_values_clean(person, creating=True, require=True)
        except DomainError:
            continue
        if not another_person(values, people):
            continue
        name = values["name"]
        if dry_run:
            people.append(Contact(**{k: values.get(k) for k in ("name", "title", *_DETAILS)}))
            companion.result.note = _(
                "Duplicate of row %(row)s of this file; %(name)s would be added as a contact."
            ) % {"row": companion.earlier, "name": name}
            continue
        try:
            with transaction.atomic():
                people.append(
                    contact_create(actor=actor, customer=customer, data=person, source="import")
                )
        except DomainError:  # a value the contact's own rules refuse
            continue
        companion.result.customer_id = customer.pk
        companion.result.customer_no = customer.customer_no
        companion.result.note = _(
            "Duplicate of row %(row)s of this file; %(name)s added as a contact of %(customer)s."
        ) % {"row": companion.earlier, "name": name, "customer": customer.customer_no}


_DETAILS = ("mobile", "landline", "email")


def _as_written(row: CleanRow, context: Context) -> dict[str, str]:
    """The row's decision maker's name and title as the file writes them (a worker's row comes
    without its cleaned values: cleaning it again costs more than most such rows need)."""
    cells = {target: row.raw.get(header, "") for header, target in context.mapping.items()}
    return {
        "name": cells.get("decision_maker.name", ""),
        "title": cells.get("decision_maker.title", ""),
    }


def another_person(values: dict[str, Any], people: list[Contact]) -> bool:
    """Whether a row's person is none of `people`, as a sheet writes one person: the same name
    (in any order or script: person_keys), a form of address of the same surname (王总, 李工 for
    王建国, 李伟), or the same mobile, landline or e-mail (`values` cleaned: as written they
    rarely equal a stored number) is the same person; a title alone (采购经理) names nobody."""
    full, surname = person_keys(str(values.get("name") or ""), str(values.get("title") or ""))
    if not full and not surname:
        return False
    for other in people:
        if any(values.get(k) and values[k] == getattr(other, k, None) for k in _DETAILS):
            return False
        their_full, their_surname = person_keys(other.name or "", other.title or "")
        if set(full) & set(their_full) or _typo(str(values.get("name") or ""), other.name or ""):
            return False
        if not full and set(surname) & set(their_surname):
            return False
    return True


def _typo(first: str, second: str) -> bool:
    """One name written with a character dropped or added (刘德 for 刘德华), or changed in a name of
    three or more (王建囯 for 王建国); 李四 and 李五 stay two people."""
    a, b = compact(fold(first)), compact(fold(second))
    if min(len(a), len(b)) < 2 or Levenshtein.distance(a, b) != 1:
        return False
    return len(a) != len(b) or len(a) >= 3
