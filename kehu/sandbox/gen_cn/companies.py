"""People and companies: a new company (or a look-alike of another), and how people write its name."""
from __future__ import annotations

import random

from .tables import (
    BRAND_CHARS, BUILDINGS, CITY_INFO, DISTRICT_LIST, FORM_EN, FORM_PY, GIVEN, LEGAL_FORMS, LOOKALIKE,
    MAIL_DOMAINS_FREE, MOBILE_PREFIXES, PINYIN, PROVINCES, PROVINCE_LIST, PROVINCE_OF, ROAD_LIST,
    ROLE_MAILBOXES, SAME_SOUND, SIZES, SURNAMES, TITLES, USCC_CHARS, USCC_VALUE, USCC_WEIGHTS, WORDS,
    WORD_EN, WORD_PY,
)


def uscc(rng: random.Random) -> str:
    """A unified social credit code with a valid check character."""
    body = "91" + "".join(rng.choices("0123456789", k=6)) + "".join(rng.choices(USCC_CHARS, k=9))
    total = sum(USCC_VALUE[c] * w for c, w in zip(body, USCC_WEIGHTS))
    return body + USCC_CHARS[(31 - total % 31) % 31]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def pinyin_name(name: str, rng: random.Random) -> str:
    sur, given = PINYIN[name[0]].capitalize(), "".join(PINYIN.get(ch, "") for ch in name[1:]).capitalize()
    return rng.choice([f"{sur} {given}", f"{given} {sur}", f"{sur.upper()} {given}"])


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def brand_pinyin(brand: str) -> str:
    return "".join(PINYIN[ch] for ch in brand)


class Company:
    """One legal entity: what every record of it is written from."""
    __slots__ = ("province", "city", "brand", "industry", "sub", "word", "form", "district", "road", "no", "unit",
                 "tel", "ext", "domain", "uscc", "boss", "title", "mobile", "email", "contacts", "size", "english")

    def name(self) -> str:
        return f"{self.city}{self.brand}{self.word}{self.form}"

    def landline(self, rng: random.Random) -> str:
        """The switchboard, in one of the ways people write it, sometimes with an extension."""
        area, tel = CITY_INFO[self.city][1], self.tel
        s = rng.choice([f"{area}-{tel}", f"({area}){tel}", f"{area} {tel[:4]} {tel[4:]}", tel, f"+86 {area[1:]} {tel}"])
        return s + rng.choice(["-", "转", " ext."]) + self.ext if rng.random() < 0.3 else s

    def address(self) -> str:
        prov = self.province if self.province != self.city else ""
        return f"{prov}{self.city}{self.district}{self.road}{self.no}号{self.unit}"


def new_company(rng: random.Random, taken: set, twin: Company | None = None, kind: str = "") -> Company:
    """A new company; with twin=..., a look-alike of twin (kind: branch, sibling, one_char, same_contact)."""
    c = Company()
    for _ in range(20):  # full names are unique within a city (as the register requires)
        c.province = rng.choice(PROVINCE_LIST)
        c.city = rng.choice(PROVINCES[c.province])
        c.brand = "".join(rng.choices(BRAND_CHARS, k=rng.choice((2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4))))
        c.industry, c.sub, c.word = rng.choice(WORDS)
        if twin is not None:
            if kind == "branch":
                c.brand, c.industry, c.sub, c.word = twin.brand, twin.industry, twin.sub, twin.word
                c.city = rng.choice([x for x in CITY_INFO if x != twin.city])
                c.province = PROVINCE_OF[c.city]
            else:
                c.province, c.city = twin.province, twin.city
            if kind == "sibling":
                c.brand = twin.brand
            elif kind == "one_char":
                c.industry, c.sub, c.word = twin.industry, twin.sub, twin.word
                b, i = list(twin.brand), rng.randrange(len(twin.brand))
                how = rng.random()
                if how < 0.4 and b[i] in LOOKALIKE:
                    b[i] = LOOKALIKE[b[i]]
                elif how < 0.7 and SAME_SOUND.get(b[i]):
                    b[i] = rng.choice(SAME_SOUND[b[i]])
                else:
                    b[i] = rng.choice(BRAND_CHARS.replace(b[i], ""))
                c.brand = "".join(b)
        key = c.city + c.brand + c.word
        if key not in taken:
            break
    taken.add(key)
    c.form = rng.choice(LEGAL_FORMS[:3])
    c.district, c.road, c.no = rng.choice(DISTRICT_LIST), rng.choice(ROAD_LIST), rng.randint(1, 999)
    c.unit = "" if rng.random() < 0.6 else rng.choice([
        f"{rng.choice('ABCD')}座{rng.randint(2, 28)}{rng.randint(1, 20):02d}室",
        f"{rng.choice(BUILDINGS)}{rng.randint(2, 28)}楼"])
    c.tel, c.ext = f"{rng.randint(2, 8)}{rng.randrange(10 ** 7):07d}", str(rng.randint(800, 8999))
    site = brand_pinyin(c.brand) + rng.choice(["", "", "tech", "group", str(rng.randint(1, 99))])
    c.domain = f"{site}.{rng.choice(['com', 'com.cn', 'cn'])}"
    c.boss, c.title, c.mobile = person(rng), rng.choice(TITLES), mobile(rng)
    c.size, c.contacts, c.english = rng.choice(SIZES), [], False
    if twin is not None:
        if kind == "sibling":  # same group, same building
            c.district, c.road, c.no, c.domain = twin.district, twin.road, twin.no, twin.domain
            c.tel = twin.tel if rng.random() < 0.3 else twin.tel[:6] + f"{rng.randrange(100):02d}"
            c.ext = str(int(twin.ext) + rng.randint(1, 50))
        elif kind == "branch" and rng.random() < 0.3:
            c.domain = twin.domain
        elif kind == "same_contact":
            c.boss = twin.boss
            c.title = twin.title if rng.random() < 0.5 else c.title
    c.email = ""
    roll = rng.random()
    if roll < 0.35:
        c.email = f"{rng.choice(ROLE_MAILBOXES) if rng.random() < 0.4 else person_mailbox(c.boss, rng)}@{c.domain}"
    elif roll < 0.65:
        c.email = free_mail(c.boss, rng)
    c.uscc = uscc(rng)
    return c


def person_mailbox(name: str, rng: random.Random) -> str:
    sur, given = PINYIN[name[0]], "".join(PINYIN.get(ch, "") for ch in name[1:])
    return rng.choice([sur + given, given + "." + sur, sur + "".join(PINYIN[ch][0] for ch in name[1:])])


def free_mail(name: str, rng: random.Random) -> str:
    user = str(rng.randint(100000, 999999999)) if rng.random() < 0.5 else person_mailbox(name, rng) + str(rng.randint(1, 99))
    return f"{user}@{rng.choice(MAIL_DOMAINS_FREE)}"


def english_name(c: Company, rng: random.Random) -> str:
    brand, word, city = brand_pinyin(c.brand).capitalize(), WORD_EN[c.word], CITY_INFO[c.city][0]
    form = rng.choice(FORM_EN[c.form])
    roll = rng.random()
    if roll < 0.45:
        return f"{city} {brand} {word} {form}"
    if roll < 0.7:
        return f"{brand} {word} ({city}) {form}"
    if roll < 0.85:
        return f"{city} {brand} {word} {form}".upper()
    return f"{brand} {word} {form}"


def pinyin_company(c: Company, rng: random.Random) -> str:
    brand, word = brand_pinyin(c.brand).capitalize(), WORD_PY[c.word]
    roll = rng.random()
    if roll < 0.4:
        return f"{CITY_INFO[c.city][0]} {brand} {word} {FORM_PY[c.form]}"
    if roll < 0.8:
        return f"{brand} {word}"
    return " ".join(PINYIN[ch].capitalize() for ch in c.brand) + f" {word}"

