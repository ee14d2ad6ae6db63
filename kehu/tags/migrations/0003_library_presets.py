"""The standard's five tag types and the preset tags (issue 17). Tags from before the library
whose names are presets get the preset's type; the others stay unclassified for an admin."""

from django.db import migrations

TYPES = [
    ("industry", "行业标签", "客户所属行业、细分领域的标签。"),
    ("need", "需求标签", "客户表达过的需求、关注点和购买动机。"),
    ("value", "价值标签", "客户价值等级与活跃度，由价值模型和规则维护。"),
    ("risk", "风险标签", "流失、回款、投诉等需要关注的风险。"),
    ("channel", "渠道标签", "客户从哪个渠道来、偏好哪个渠道沟通。"),
]

# (name, type code, description, exclusive group)
TAGS = [
    ("降低成本", "need", "客户希望降低采购或运营成本。", ""),
    ("提升效率", "need", "客户希望提升业务或团队效率。", ""),
    ("合规性需求", "need", "客户有合规、审计或资质方面的要求。", ""),
    ("数字化转型", "need", "客户在推进数字化或信息化建设。", ""),
    ("价格敏感型", "need", "客户多次提到预算有限或对价格敏感。", ""),
    ("产品教育需求", "need", "客户需要技术咨询或产品培训。", ""),
    ("竞品对比", "need", "客户在和竞争对手的产品做比较。", ""),
    ("潜在需求", "need", "客户流露出尚未明确的需求，需要持续跟进。", ""),
    ("批量采购", "need", "客户有大批量采购的意向。", ""),
    ("高价值", "value", "价值等级：高。", "价值等级"),
    ("中价值", "value", "价值等级：中。", "价值等级"),
    ("低价值", "value", "价值等级：低。", "价值等级"),
    ("VIP", "value", "重点维护的客户。", ""),
    ("高活跃度", "value", "近期互动频繁的客户。", "活跃度"),
    ("休眠客户", "value", "长期没有有效互动的客户。", "活跃度"),
    ("流失风险", "risk", "有流失迹象，需要挽留。", ""),
    ("回款风险", "risk", "回款慢或有欠款。", ""),
    ("投诉", "risk", "客户有过投诉。", ""),
    ("线上渠道", "channel", "通过官网、电商或社交媒体获得的客户。", ""),
    ("展会", "channel", "在展会上获得的客户。", ""),
    ("转介绍", "channel", "老客户或合作伙伴介绍的客户。", ""),
    ("代理商", "channel", "通过代理商或渠道伙伴获得的客户。", ""),
]


def forwards(apps, schema_editor):
    TagType = apps.get_model("tags", "TagType")
    Tag = apps.get_model("tags", "Tag")
    types = {}
    for position, (code, name, description) in enumerate(TYPES):
        types[code], _ = TagType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "position": position,
                "is_builtin": True,
            },
        )
    for name, code, description, group in TAGS:
        tag, created = Tag.objects.get_or_create(
            name=name,
            defaults={"type": types[code], "description": description, "exclusive_group": group},
        )
        if not created and tag.type_id is None:
            tag.type = types[code]
            tag.description = tag.description or description
            tag.exclusive_group = group
            tag.save(update_fields=["type", "description", "exclusive_group"])


class Migration(migrations.Migration):
    dependencies = [("tags", "0002_library")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
