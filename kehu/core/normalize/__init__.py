"""The one Chinese (and Western) text normaliser: pure, cached functions, no models.

Search (kehu.core.search_index), the duplicate scan and the on-save check
(kehu.customers.matching), the customers' validators (name_normalized, name_pinyin) and the import
all compare text through these functions, so a name, phone or address that one path finds alike
the others find alike too.

    text      fold (NFKC width, 繁→简 by OpenCC's character table, case), brackets, compact keys
    pinyin    pinyin per character (matching keys) and per word (search)
    regions   provinces and cities, leading and trailing region words
    company   company_core / company_key / company_brand / company_registered
    person    Chinese contacts (person_keys), individuals (person_name), nicknames, soundex
    phone     phone_base, is_mobile, phone_digits, masked partials (138****5678, from validators)
    email     email_key, email_domain
    address   Chinese address_forms, city_key, city_from_text; Western address_parts
"""

from __future__ import annotations

from .address import AddressParts, address_forms, address_parts, city_from_text, city_key
from .company import (
    company_brand,
    company_core,
    company_key,
    company_registered,
    is_registered_full_name,
)
from .email import email_domain, email_key, is_role_mailbox
from .person import (
    PersonName,
    looks_like_title,
    nickname_of,
    person_forms,
    person_keys,
    person_name,
    soundex,
)
from .phone import is_mobile, phone_base, phone_digits, phone_partial, phone_partial_matches
from .pinyin import name_pinyin, person_pinyin_keys, pinyin_keys, pinyin_of
from .regions import leading_region, strip_leading_regions, trailing_region
from .text import compact, fold, has_cjk, is_cjk, search_normalize, to_simplified, unify_brackets

__all__ = [
    "AddressParts", "PersonName", "address_forms", "address_parts", "city_from_text", "city_key",
    "compact", "company_brand", "company_core", "company_key", "company_registered",
    "is_registered_full_name",
    "email_domain", "email_key", "fold", "has_cjk", "is_cjk", "is_mobile", "is_role_mailbox",
    "leading_region",
    "looks_like_title", "name_pinyin", "nickname_of", "person_forms", "person_keys",
    "person_name", "person_pinyin_keys", "phone_base", "phone_digits", "phone_partial", "phone_partial_matches", "pinyin_keys",
    "pinyin_of", "search_normalize", "soundex", "strip_leading_regions", "to_simplified",
    "trailing_region", "unify_brackets",
]  # fmt: skip
