"""Blind search terms: how the index finds a record by a personal value it does not hold (issue 19).

The documents carry no plaintext of an encrypted field (kehu.core.personal: phones, e-mails,
WeChat and QQ ids, addresses). In its place a document holds keyed words
(kehu.core.crypto.search_term) of the forms people type, in `SearchDocument.tokens`, and the
substring index beside it (SQLite's search_bigram, PostgreSQL's `grams`) has them as words:

- a phone (its national digits, kehu.core.normalize.phone_digits): the whole number, every
  prefix of 3 or more digits (139, 1391234) and every suffix of 4 or more (2166, 42166);
- an e-mail (lower case): the whole address, every prefix of its local part of 3 or more
  characters (jianguo.wa, the whole local part) and its domain (tencent.com);
- a WeChat or QQ id: the whole id and every prefix of 3 or more characters;
- an address: its CJK bigrams and its other words of 3 or more characters (a query's bigrams
  must all be there: 南山区科技园 finds 深圳市南山区科技园…).

A query is turned into the same words (`query_terms`): each `QueryTerm` names what it would match
(field, form, length) so that the search can tell a match a user may make on a value they see
masked (the first 3 digits, the last 4, an e-mail's domain: what 139****2166 and b***@jia.cn
show) from one they may not. Middle parts of a value (1234 of 13912342166) are not searchable.

What the words give away: nothing of a value without the key; but equal words are equal values,
so a copy of the database shows which documents share a phone's prefix or suffix, an e-mail
domain or an address bigram (the bigrams of addresses are frequent enough to be guessed from
their counts: the address terms are the weakest part).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from ..crypto import search_term, search_terms
from ..normalize import phone_digits, search_normalize
from ..normalize.text import CJK_RUN

PHONE, EMAIL, IDENT, ADDRESS = "phone", "email", "id", "address"
WHOLE, PREFIX, SUFFIX, DOMAIN, PART = "whole", "prefix", "suffix", "domain", "part"
# Tiers of the search (kehu.search.selectors): exact, prefix (a phone suffix counts), partial.
TIERS = {WHOLE: 0, PREFIX: 1, SUFFIX: 1, DOMAIN: 2, PART: 2}

_MIN_PREFIX, _MIN_SUFFIX, _MAX_AFFIX = 3, 4, 32
_ASCII_WORD = re.compile(r"[a-z0-9]{3,}")


def _term(field: str, form: str, value: str) -> str:
    return search_term(f"{field}.{form}", value)


def _affixes(field: str, value: str, *, suffixes: bool = False) -> list[str]:
    terms = search_terms(f"{field}.{WHOLE}", [value])
    top = min(len(value), _MAX_AFFIX + 1)
    terms += search_terms(f"{field}.{PREFIX}", [value[:n] for n in range(_MIN_PREFIX, top)])
    if suffixes:
        terms += search_terms(f"{field}.{SUFFIX}", [value[-n:] for n in range(_MIN_SUFFIX, top)])
    return terms


# Each *_terms function: no value, no terms (most contacts have no e-mail, WeChat or address).


def phone_terms(value: str | None) -> list[str]:
    digits = phone_digits(value) if value else ""
    return _affixes(PHONE, digits, suffixes=True) if digits else []


def email_terms(value: str | None) -> list[str]:
    email = search_normalize(value).strip() if value else ""
    if not email:
        return []
    local, _at, domain = email.partition("@")
    terms = search_terms(f"{EMAIL}.{WHOLE}", [email])
    top = min(len(local), _MAX_AFFIX) + 1
    terms += search_terms(f"{EMAIL}.{PREFIX}", [local[:n] for n in range(_MIN_PREFIX, top)])
    if domain:
        terms.append(_term(EMAIL, DOMAIN, domain))
    return terms


def id_terms(value: str | None) -> list[str]:
    ident = "".join(search_normalize(value).split()) if value else ""
    return _affixes(IDENT, ident) if ident else []


@lru_cache(maxsize=65_536)
def _run_grams(run: str) -> tuple[str, ...]:
    """The bigrams of one CJK run, once each, in order (a lone character stands for itself).
    Runs repeat across records (regions, the words of addresses and names): computed once."""
    if len(run) == 1:
        return (run,)
    return tuple(dict.fromkeys(map(str.__add__, run[:-1], run[1:])))


def cjk_gram_list(text: str) -> list[str]:
    """The CJK bigrams of text, each once, in the order they first occur."""
    runs = CJK_RUN.findall(text)
    if len(runs) == 1:
        return list(_run_grams(runs[0]))
    return list(dict.fromkeys(chain.from_iterable(map(_run_grams, runs))))


def cjk_grams(text: str) -> str:
    """Space-separated CJK bigrams of text (a lone character stands for itself)."""
    return " ".join(cjk_gram_list(text))


def _address_words(text: str) -> list[str]:
    grams = [gram for gram in cjk_gram_list(text) if len(gram) == 2]
    return [*grams, *dict.fromkeys(_ASCII_WORD.findall(CJK_RUN.sub(" ", text)))]


def address_terms(value: str | None) -> list[str]:
    text = search_normalize(value) if value else ""
    return search_terms(f"{ADDRESS}.{PART}", _address_words(text)) if text else []


def tokens_text(*groups: list[str]) -> str:
    """A document's `tokens`: its terms, once each, space-separated."""
    return " ".join(dict.fromkeys(chain.from_iterable(groups)))


@dataclass(frozen=True)
class QueryTerm:
    """What one reading of a query matches: every word of `terms` (a document has them all)."""

    field: str
    form: str
    length: int
    terms: tuple[str, ...]

    @property
    def tier(self) -> int:
        return TIERS[self.form]

    @property
    def shown_masked(self) -> bool:
        """Whether the mask shows what this matches (139****2166: the first 3 digits and the
        last 4; b***@jia.cn: the domain; wxi*****f8d2: the first 3 characters; addresses are
        not masked)."""
        if self.field == ADDRESS or (self.field, self.form) == (EMAIL, DOMAIN):
            return True
        if self.form == PREFIX and self.field in (PHONE, IDENT):
            return self.length == _MIN_PREFIX
        return (self.field, self.form, self.length) == (PHONE, SUFFIX, _MIN_SUFFIX)

    def in_tokens(self, tokens: set[str]) -> bool:
        return all(term in tokens for term in self.terms)


def _one(field: str, form: str, value: str) -> QueryTerm:
    return QueryTerm(field, form, len(value), (_term(field, form, value),))


def query_terms(key: str, text: str) -> list[QueryTerm]:
    """The readings of a query (`key`: its compact normalised form, `text`: normalised with its
    spaces) as blind terms: a number as a phone and a QQ id, an e-mail, a prefix of an e-mail or
    a WeChat id, a domain, words of an address."""
    out: list[QueryTerm] = []
    if key.isdigit():
        numbers = [key]
        for country in ("86", "0086"):  # +86 typed without its plus, or dialled from abroad
            if len(key) in (len(country) + 10, len(country) + 11) and key.startswith(country):
                numbers.append(phone_digits("+86" + key[len(country) :]))
        for number in dict.fromkeys(numbers):
            out.append(_one(PHONE, WHOLE, number))
            if len(number) >= _MIN_PREFIX:
                out.append(_one(PHONE, PREFIX, number))
            if len(number) >= _MIN_SUFFIX:
                out.append(_one(PHONE, SUFFIX, number))
    if key.isascii() and "@" in key:
        local, _at, domain = key.partition("@")
        if local and domain:
            out.append(_one(EMAIL, WHOLE, key))
        elif domain and "." in domain.strip("."):
            out.append(_one(EMAIL, DOMAIN, domain))  # "@qq.com": every address at that domain
        elif len(local) >= _MIN_PREFIX:
            out.append(_one(EMAIL, PREFIX, local))  # "li.lei@": the address being typed
    elif key.isascii():
        if len(key) >= _MIN_PREFIX:
            out += [_one(EMAIL, PREFIX, key), _one(IDENT, PREFIX, key)]
        if "." in key.strip("."):
            out.append(_one(EMAIL, DOMAIN, key))
        out.append(_one(IDENT, WHOLE, key))
    words = _address_words(text)
    if words:
        terms = tuple(search_terms(f"{ADDRESS}.{PART}", words))
        out.append(QueryTerm(ADDRESS, PART, len(key), terms))
    return out


def matched_terms(query: list[QueryTerm], tokens: str) -> list[QueryTerm]:
    """The readings of the query a document's tokens match."""
    if not tokens:
        return []
    present = set(tokens.split())
    return [term for term in query if term.in_tokens(present)]
