"""Customer records: the first record of a company, its repeats (the duplicate variations) and
the interactions, orders and behaviour events of each record."""
from __future__ import annotations

import datetime as dt
import random

from .companies import Company, english_name, free_mail, mobile, person, pinyin_company, pinyin_name
from .tables import (
    ADDRESS_FORMS, BUDGETS, BUILDINGS, CITY_INFO, DISTRICTS, END, EVENT_KINDS, FEEDBACK, FULLWIDTH,
    LEGAL_FORMS, LOOKALIKE, METHODS, OWNERS, PROVINCE_EN, ROADS, SOURCES, STATUSES, STATUS_WEIGHTS,
    SUMMARY_BITS, TITLES, TOPICS, USCC_CHARS, WORDS,
)


def name_variant(c: Company, rng: random.Random) -> tuple[str, str, float]:
    """(variant kind, company name, how much of a link it still is: 2 normalises alike, 1 partly)."""
    city, city_short = c.city, c.city.removesuffix("市")
    prov_short = c.province.removesuffix("省").removesuffix("市")
    roll = rng.random()
    if roll < 0.45:  # forms that a region/legal-form/width normaliser undoes
        kind, name = rng.choice([
            ("括号地区", f"{c.brand}{c.word}({city_short}){c.form}"),
            ("全角括号", f"{c.brand}{c.word}({city_short}){c.form}".translate(FULLWIDTH)),
            ("省略地区", f"{c.brand}{c.word}{c.form}"),
            ("法律形式", f"{city}{c.brand}{c.word}{rng.choice([f for f in LEGAL_FORMS[:3] if f != c.form])}"),
            ("空格", f"{city} {c.brand}{c.word} {c.form}"),
            ("省市前缀", f"{c.province}{city}{c.brand}{c.word}{c.form}" if c.province != city and rng.random() < 0.5
             else f"{prov_short}{city_short if c.province != city else ''}{c.brand}{c.word}{c.form}"),
            ("简称", f"{city_short}{c.brand}{c.word}" if rng.random() < 0.5 else f"{c.brand}{c.word}"),
        ])
        return kind, name, 2.0
    roll = rng.random()
    if roll < 0.17:
        return "字号", c.brand if rng.random() < 0.5 else city_short + c.brand, 1.0
    if roll < 0.34:
        return "英文名", english_name(c, rng), 1.0
    if roll < 0.42:
        return "拼音名", pinyin_company(c, rng), 1.0
    if roll < 0.62:
        b = [i for i, ch in enumerate(c.brand) if ch in LOOKALIKE]
        if b:
            i = rng.choice(b)
            brand = c.brand[:i] + LOOKALIKE[c.brand[i]] + c.brand[i + 1:]
            return "形近错字", f"{rng.choice([city, city_short, ''])}{brand}{c.word}{c.form}", 1.0
    if roll < 0.7 and c.brand[0] != c.brand[1]:
        return "字号颠倒", f"{city}{c.brand[1]}{c.brand[0]}{c.brand[2:]}{c.word}{c.form}", 1.0
    if roll < 0.88:
        who = c.boss[0] + rng.choice(ADDRESS_FORMS)
        return "名称带联系人", rng.choice([f"{city_short}{c.brand}{c.word}-{who}", f"{c.brand}{c.word}({who})",
                                     f"{c.name()} {who}"]), 1.5
    return "通称", f"{rng.choice([city_short, ''])}{c.brand}科技{rng.choice(['', '有限公司'])}", 1.0


def mobile_variant(p: str, rng: random.Random) -> tuple[str, str]:
    return rng.choice([
        ("+86", f"+86 {p[:3]} {p[3:7]} {p[7:]}"),
        ("连字符", f"{p[:3]}-{p[3:7]}-{p[7:]}"),
        ("全角", p.translate(FULLWIDTH)),
        ("空格分隔", f"{p[:3]} {p[3:7]} {p[7:]}"),
    ])


def address_variant(c: Company, rng: random.Random) -> tuple[str, str, float]:
    prov = c.province if c.province != c.city else ""
    full = c.address()
    roll = rng.random()
    if roll < 0.2:
        return "省略区", f"{prov}{c.city}{c.road}{c.no}号{c.unit}", 1.0
    if roll < 0.35:
        return "號", full.replace("号", "號").replace("楼", "樓"), 1.0
    if roll < 0.5:
        no = rng.choice([c.no + rng.choice([-2, -1, 1, 2, 10]), f"{c.no}-{rng.randint(1, 9)}", f"{c.no}之{rng.randint(1, 3)}"])
        return "门牌变化", f"{prov}{c.city}{c.district}{c.road}{no}号{c.unit}", 0.5
    if roll < 0.65:
        unit = "" if c.unit else f"{rng.choice(BUILDINGS)}{rng.randint(2, 28)}楼"
        return "楼层室号", f"{prov}{c.city}{c.district}{c.road}{c.no}号{unit}", 1.0
    if roll < 0.8:
        return "省略省市", f"{c.district}{c.road}{c.no}号{c.unit}", 1.0
    if roll < 0.9:
        city_en = CITY_INFO[c.city][0]
        prov_en = PROVINCE_EN.get(c.province, "")
        return "英文地址", f"No. {c.no} {ROADS[c.road]}, {DISTRICTS[c.district]}, {city_en}{', ' + prov_en if prov_en else ''}", 0.5
    return "缺失地址", "", 0.0


def customer_row(ext: str, c: Company, rng: random.Random, start: dt.date, span: int) -> dict:
    roll = rng.random()
    phone = c.mobile if roll < 0.85 else c.landline(rng)
    return {
        "外部编号": ext, "客户名称": english_name(c, rng) if c.english else c.name(),
        "统一社会信用代码": c.uscc if rng.random() < 0.55 else "",
        "所属行业": c.industry, "二级行业": c.sub, "客户规模": c.size,
        "关键决策人姓名": c.boss, "决策人职位": c.title, "决策人联系方式": phone, "邮箱": c.email,
        "省份": c.province, "城市": c.city, "客户地址": c.address(),
        "客户来源": rng.choice(SOURCES),
        "首次接触时间": (start + dt.timedelta(days=rng.randrange(span))).isoformat(),
        "客户状态": rng.choices(STATUSES, STATUS_WEIGHTS)[0], "负责人": rng.choice(OWNERS),
        "年合作预算": str(rng.choice(BUDGETS) * 10000),
    }


def repeat_of(c: Company, orig: dict, rng: random.Random) -> tuple[dict, list[str]]:
    """The same company entered again. Retries until the record still links to the original (by
    what a careful matcher can use); the last try is kept with milder differences."""
    for attempt in range(6):
        dup, kinds, link = _repeat(c, orig, rng, mild=attempt == 5)
        if link >= 3:
            break
    if not kinds and not c.english:
        kinds = ["原样重录"]  # the same facts entered again (status, owner, source and dates still differ)
    first = dt.date.fromisoformat(orig["首次接触时间"])
    dup["首次接触时间"] = min(END - dt.timedelta(days=1), first + dt.timedelta(days=rng.randrange(1, 400))).isoformat()
    dup["客户来源"], dup["负责人"] = rng.choice(SOURCES), rng.choice(OWNERS)
    dup["客户状态"] = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    if rng.random() < 0.4:
        dup["年合作预算"] = str(rng.choice(BUDGETS) * 10000)
    return dup, kinds


def _repeat(c: Company, orig: dict, rng: random.Random, mild: bool) -> tuple[dict, list[str], float]:
    """One try: (record, variation kinds, link). link adds up what still ties the record to the
    original: 3 same credit code, 2 same phone or e-mail or a name that normalises alike, 1.5 same
    landline, 1 same contact or address or a name that is only partly alike, less for weaker hints."""
    dup = dict(orig, 客户名称=c.name(), 统一社会信用代码=c.uscc if rng.random() < 0.3 else "")
    kinds: list[str] = []
    link = 3.0 if orig["统一社会信用代码"] and dup["统一社会信用代码"] else 0.0
    if orig["统一社会信用代码"] and not dup["统一社会信用代码"]:
        kinds.append("缺失信用代码")
    elif dup["统一社会信用代码"] and rng.random() < 0.1:
        code, i = dup["统一社会信用代码"], rng.randrange(2, 17)
        dup["统一社会信用代码"] = code[:i] + rng.choice(USCC_CHARS.replace(code[i], "")) + code[i + 1:]
        kinds.append("信用代码错")
        link = 0.0
    # company name
    name_kind, name_link = "", 2.0
    if not mild and rng.random() >= 0.3:
        name_kind, dup["客户名称"], name_link = name_variant(c, rng)
        kinds.append(name_kind)
    if c.english:  # the original carries its English name
        name_link = min(name_link, 1.0)
    link += name_link
    english = name_kind in ("英文名", "拼音名")
    # contact and how to reach them
    phone_link = 2.0 if orig["决策人联系方式"] == c.mobile else 1.5  # the original shows the mobile, or the landline
    if not mild and rng.random() < 0.15:
        other = rng.choice(c.contacts) if c.contacts else (person(rng), rng.choice(TITLES), mobile(rng), "")
        dup["关键决策人姓名"], dup["决策人职位"], dup["决策人联系方式"], dup["邮箱"] = other
        kinds.append("另一联系人")
        if rng.random() < 0.3:
            dup["决策人联系方式"] = c.landline(rng)
            link += 1.5 if phone_link == 1.5 else 0
        if dup["邮箱"].endswith("@" + c.domain) and orig["邮箱"].endswith("@" + c.domain):
            link += 0.5
    else:
        roll = 1.0 if mild else rng.random()
        if roll < 0.12:
            dup["关键决策人姓名"] = c.boss[0] + rng.choice(ADDRESS_FORMS)
            kinds.append("称呼")
            link += 0.5
        elif roll < 0.2 and english:
            dup["关键决策人姓名"] = pinyin_name(c.boss, rng)
            kinds.append("拼音姓名")
            link += 0.5
        elif roll < 0.26:
            dup["关键决策人姓名"] = dup["决策人职位"] = ""
            kinds.append("缺失联系人")
        elif roll < 0.31:
            dup["关键决策人姓名"], dup["决策人职位"] = c.title, c.boss
            kinds.append("姓名职位互换")
        else:
            link += 1
        roll = 1.0 if mild else rng.random()
        if roll < 0.25:
            kind, dup["决策人联系方式"] = mobile_variant(c.mobile, rng)
            kinds.append(kind)
            link += 2 if phone_link == 2 else 0
        elif roll < 0.43:
            dup["决策人联系方式"] = c.landline(rng)
            kinds.append("座机")
            link += 1.5 if phone_link == 1.5 else 0
        elif roll < 0.5:
            dup["决策人联系方式"] = f"{c.mobile}{rng.choice(['/', '；', ', ', ' '])}{c.landline(rng)}"
            kinds.append("多个号码")
            link += phone_link
        elif roll < 0.6:
            dup["决策人联系方式"] = ""
            kinds.append("缺失电话")
        else:
            link += phone_link
        roll = 1.0 if mild else rng.random()
        if not orig["邮箱"]:
            pass
        elif roll < 0.1:
            dup["邮箱"] = orig["邮箱"].upper()
            kinds.append("邮箱大小写")
            link += 2
        elif roll < 0.22:
            dup["邮箱"] = free_mail(c.boss, rng)
            kinds.append("换邮箱")
        elif roll < 0.34:
            dup["邮箱"] = ""
            kinds.append("缺失邮箱")
        else:
            link += 2
        if not mild and dup["决策人联系方式"] and dup["邮箱"] and rng.random() < 0.04:
            dup["决策人联系方式"], dup["邮箱"] = dup["邮箱"], dup["决策人联系方式"]
            kinds.append("电话邮箱互换")
    # address, region, industry
    roll = 1.0 if mild else rng.random()
    if english and roll < 0.4:
        city_en = CITY_INFO[c.city][0]
        dup["客户地址"] = f"No. {c.no} {ROADS[c.road]}, {DISTRICTS[c.district]}, {city_en}"
        kinds.append("英文地址")
        link += 0.5
        if rng.random() < 0.5:
            dup["城市"], dup["省份"] = city_en, PROVINCE_EN.get(c.province, city_en)
            kinds.append("英文城市")
    elif roll < 0.5:
        kind, dup["客户地址"], w = address_variant(c, rng)
        kinds.append(kind)
        link += w
    else:
        link += 1
    roll = 1.0 if mild else rng.random()
    if roll < 0.05:
        dup["省份"] = dup["城市"] = ""
        kinds.append("缺失省市")
    elif roll < 0.15:
        dup["所属行业"], dup["二级行业"], _ = rng.choice(WORDS)
        if dup["所属行业"] != orig["所属行业"]:
            kinds.append("行业不同")
    if not mild and orig["邮箱"] and rng.random() < 0.06:  # a web lead: a name and an e-mail, nothing else
        dup.update({"关键决策人姓名": "", "决策人职位": "", "决策人联系方式": "", "客户地址": "", "统一社会信用代码": "",
                    "客户规模": "", "年合作预算": "", "邮箱": orig["邮箱"]})
        kinds = [k for k in kinds if k == name_kind or k in ("缺失信用代码", "缺失省市", "英文城市", "行业不同")] + ["仅邮箱"]
        link = name_link + 2.0
    return dup, kinds, link



def write_children(w: dict, ext: str, row: dict, rng: random.Random, a, seq: int, scale: float) -> None:
    """Interactions, orders and behaviour events of one customer record."""
    first = dt.date.fromisoformat(row["首次接触时间"])
    days_left = max(1, (END - first).days)
    if a.interactions:
        for _ in range(int(rng.expovariate(1 / (a.interactions * scale)))):
            when = dt.datetime.combine(first + dt.timedelta(days=rng.randrange(days_left)), dt.time(rng.randint(8, 19), rng.choice([0, 15, 30, 45])))
            text = rng.choice(SUMMARY_BITS).format(n=rng.choice([20, 50, 100, 200, 500]), b=rng.choice([10, 20, 50, 80]))
            w["interactions"].writerow([ext, when.isoformat(sep=" "), rng.choice(METHODS), rng.choice(TOPICS), text, rng.choice(FEEDBACK),
                                        f"{(when.date() + dt.timedelta(days=3)).isoformat()}前回访客户", row["负责人"]])
    if a.orders and row["客户状态"] in ("成交客户", "流失客户"):
        for k in range(max(1, int(rng.expovariate(1 / a.orders)))):
            day = first + dt.timedelta(days=rng.randrange(days_left))
            w["orders"].writerow([ext, f"SO{day:%Y%m}{seq:07d}{k}", day.isoformat(), f"{rng.choice([0.5, 1, 2, 5, 8, 12, 30]) * 10000:.2f}",
                                  rng.choice(["已签订", "执行中", "已完成"])])
    if a.events:
        for _ in range(int(rng.expovariate(1 / (a.events * scale)))):
            when = dt.datetime.combine(first + dt.timedelta(days=rng.randrange(days_left)), dt.time(rng.randint(0, 23), rng.randint(0, 59)))
            w["events"].writerow([ext, rng.choice(EVENT_KINDS), when.isoformat(sep=" "), rng.choice(["/pricing", "/cases/finance", "/product/a", "月度通讯", "白皮书下载"])])

