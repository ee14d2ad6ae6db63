"""The shipped keyword and decay rules (issue 17); admins and data stewards edit them."""

from django.db import migrations

NEGATIONS = ["不", "没有", "没", "无", "未", "别", "不是", "不要", "不需要"]
TEXTS = ["interaction", "chat", "customer_notes", "followup_notes"]

# (rule name, tag, keywords)
KEYWORD_RULES = [
    ("预算有限 → 价格敏感型", "价格敏感型", ["预算有限", "预算紧张", "预算不多", "太贵", "价格太高", "便宜点", "降价"]),
    ("技术咨询 → 产品教育需求", "产品教育需求", ["技术咨询", "怎么使用", "产品培训", "操作培训", "技术方案", "使用说明"]),
    ("竞品 → 竞品对比", "竞品对比", ["竞品", "竞争对手", "对比了其他家", "其他厂家", "别家", "友商"]),
]

# (rule name, kind, tag, replaced by or None, days, streak, outcomes)
DECAY_RULES = [
    ("潜在需求 180 天未再触发则移除", "expiry", "潜在需求", None, 180, None, []),
    ("连续 3 次未接通/拒接：高活跃度 → 休眠客户", "streak", "高活跃度", "休眠客户", None, 3, ["no_answer", "refused"]),
]


def forwards(apps, schema_editor):
    Tag = apps.get_model("tags", "Tag")
    KeywordTagRule = apps.get_model("tags", "KeywordTagRule")
    TagDecayRule = apps.get_model("tags", "TagDecayRule")
    tags = {t.name: t for t in Tag.objects.all()}
    for name, tag, keywords in KEYWORD_RULES:
        if tag in tags:
            KeywordTagRule.objects.get_or_create(
                name=name,
                defaults={"tag": tags[tag], "keywords": keywords, "negations": NEGATIONS, "texts": TEXTS},
            )
    for name, kind, tag, replace_with, days, streak, outcomes in DECAY_RULES:
        if tag in tags and (replace_with is None or replace_with in tags):
            TagDecayRule.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "tag": tags[tag],
                    "replace_with": tags.get(replace_with) if replace_with else None,
                    "days": days,
                    "streak": streak,
                    "outcomes": outcomes,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("tags", "0005_keyword_and_decay_rules")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
