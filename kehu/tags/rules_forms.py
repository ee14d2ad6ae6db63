"""The forms of /settings/tag-rules/: keyword rules and decay rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.interactions.models import Interaction

from .models import KeywordTagRule, Tag, TagDecayRule

STREAK_OUTCOMES = [
    (value, label)
    for value, label in Interaction.Feedback.choices
    if value in (Interaction.Feedback.NO_ANSWER, Interaction.Feedback.REFUSED)
] + [
    (value, label)
    for value, label in Interaction.Feedback.choices
    if value not in (Interaction.Feedback.NO_ANSWER, Interaction.Feedback.REFUSED)
]


def _tag_choices(blank: str | None = None) -> list[tuple[str, str]]:
    names = Tag.objects.filter(is_active=True).order_by("name").values_list("name", flat=True)
    choices = [(name, name) for name in names]
    return [("", blank), *choices] if blank is not None else [("", "—"), *choices]


class KeywordRuleForm(forms.Form):
    name = forms.CharField(label=_("Rule name"), max_length=100)
    tag = forms.ChoiceField(label=_("Tag to apply"))
    keywords = forms.CharField(
        label=_("Keywords"),
        help_text=_("Words or phrases, separated by commas (预算有限, 预算紧张)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    negations = forms.CharField(
        label=_("Negation words"),
        required=False,
        help_text=_("A negation word before the keyword in the same clause cancels the match."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    texts = forms.MultipleChoiceField(
        label=_("Texts it reads"),
        choices=KeywordTagRule.Text.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, rule: KeywordTagRule | None = None, **kwargs: Any) -> None:
        bound = bool(args and args[0] is not None)
        if rule is not None and not bound:
            kwargs["initial"] = {
                "name": rule.name,
                "tag": rule.tag.name,
                "keywords": ", ".join(rule.keywords),
                "negations": ", ".join(rule.negations),
                "texts": rule.texts,
                "is_active": rule.is_active,
            }
        elif rule is None and not bound:
            kwargs["initial"] = {
                "negations": ", ".join(KeywordTagRule._meta.get_field("negations").default()),
                "texts": KeywordTagRule.Text.values,
                "is_active": True,
            }
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tag"]).choices = _tag_choices()

    def payload(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DecayRuleForm(forms.Form):
    name = forms.CharField(label=_("Rule name"), max_length=100)
    kind = forms.ChoiceField(label=_("When"), choices=TagDecayRule.Kind.choices)
    tag = forms.ChoiceField(label=_("Tag"))
    replace_with = forms.ChoiceField(label=_("Replace by"), required=False)
    days = forms.IntegerField(label=_("Days without re-trigger"), required=False, min_value=1)
    streak = forms.IntegerField(label=_("Consecutive interactions"), required=False, min_value=1)
    outcomes = forms.MultipleChoiceField(
        label=_("Outcomes that count"),
        required=False,
        choices=STREAK_OUTCOMES,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, rule: TagDecayRule | None = None, **kwargs: Any) -> None:
        bound = bool(args and args[0] is not None)
        if rule is not None and not bound:
            kwargs["initial"] = {
                "name": rule.name,
                "kind": rule.kind,
                "tag": rule.tag.name,
                "replace_with": rule.replace_with.name if rule.replace_with else "",
                "days": rule.days,
                "streak": rule.streak,
                "outcomes": rule.outcomes,
                "is_active": rule.is_active,
            }
        elif rule is None and not bound:
            kwargs["initial"] = {"is_active": True, "outcomes": ["no_answer", "refused"]}
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tag"]).choices = _tag_choices()
        cast(forms.ChoiceField, self.fields["replace_with"]).choices = _tag_choices(
            str(_("(remove the tag)"))
        )

    def payload(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
