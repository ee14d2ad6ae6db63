"""The fast widget renderer writes the same bytes as Django's widget templates."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kehu.core.form_renderer import FAST, FastWidgetRenderer

ODD = "a<b>&\"c' 客户"
ATTRS: list[dict[str, Any]] = [
    {},
    {"class": "wide", "required": True, "disabled": False, "placeholder": ODD},
    {
        "maxlength": 200,
        "data-x": None,
        "aria-label": gettext_lazy("Customer"),
        "min": Decimal("1.5"),
    },
    {"title": mark_safe("<b>safe</b>"), "data-tuple": (1, 2), "autofocus": True},
]
VALUES: list[Any] = [
    None,
    "",
    0,
    12345,
    ODD,
    mark_safe("<i>x</i>"),
    datetime.date(2026, 12, 7),
    Decimal("1234.50"),
]
CHOICES: list[Any] = [
    ("", "---------"),
    ("a", "甲 <A>"),
    (2, gettext_lazy("Customer")),
    (gettext_lazy("Group"), [("g1", "一"), ("g2", mark_safe("<em>二</em>"))]),
    (None, "none"),
]
WIDGETS: list[Any] = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.CheckboxInput,
    forms.Textarea,
    forms.FileInput,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
]


RENDERERS = (FastWidgetRenderer(), DjangoTemplates())


def _pair(widget: forms.Widget, name: str, value: Any) -> tuple[str, str]:
    fast = widget.render(name, value, renderer=FastWidgetRenderer())
    slow = widget.render(name, value, renderer=DjangoTemplates())
    return fast, slow


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_inputs_and_textareas_render_as_the_templates_do(language: str, attrs: Any) -> None:
    with translation.override(language):
        for widget_class in WIDGETS:
            for value in VALUES:
                fast, slow = _pair(widget_class(attrs=dict(attrs)), "f<1>", value)
                assert fast == slow, (widget_class, value)


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("multiple", [False, True])
def test_selects_render_as_the_templates_do(attrs: Any, multiple: bool) -> None:
    widget_class = forms.SelectMultiple if multiple else forms.Select
    for value in [None, "", "a", 2, "g2", ["a", "g1"], "missing"]:
        fast, slow = _pair(widget_class(attrs=dict(attrs), choices=CHOICES), "owner", value)
        assert fast == slow, value
        assert fast.count("<option") == 6


@pytest.mark.parametrize("attrs", [*ATTRS, {"id": "id_<x>", "class": "choices"}])
@pytest.mark.parametrize("widget_class", [forms.RadioSelect, forms.CheckboxSelectMultiple])
def test_radios_and_checkboxes_render_as_the_templates_do(attrs: Any, widget_class: Any) -> None:
    for value in [None, "a", 2, ["a", "g1"], "missing"]:
        fast, slow = _pair(widget_class(attrs=dict(attrs), choices=CHOICES), "pick", value)
        assert fast == slow, value
        assert fast.count("<input") == 6
        form_field = forms.MultipleChoiceField(choices=CHOICES, widget=widget_class(attrs=attrs))
        form_class: Any = type("PickForm", (forms.Form,), {"pick": form_field})
        pair = [form_class({"pick": ["a"]}, renderer=r)["pick"] for r in RENDERERS]
        assert [str(radio) for radio in pair[0]] == [str(radio) for radio in pair[1]]


def test_a_bound_form_with_errors_renders_as_the_templates_do() -> None:
    class Form(forms.Form):
        name = forms.CharField(max_length=10, help_text="help <b>")
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
        amount = forms.DecimalField()
        note = forms.CharField(widget=forms.Textarea, required=False)
        day = forms.DateField(required=False)
        done = forms.BooleanField(required=False)
        picks = forms.MultipleChoiceField(choices=[("x", "X")], widget=forms.RadioSelect)

    data = {"name": "x" * 20, "kind": "c", "amount": "1,5", "note": "<n>", "day": "2026-12-07"}
    fast = Form(data, renderer=FastWidgetRenderer())
    slow = Form(data, renderer=DjangoTemplates())
    assert str(fast) == str(slow)
    assert all(str(fast[name]) == str(slow[name]) for name in fast.fields)


def test_the_fast_renderer_is_the_default_and_covers_the_common_widgets() -> None:
    assert isinstance(get_default_renderer(), FastWidgetRenderer)
    for name in ("text", "select", "select_option", "textarea", "date", "checkbox"):
        assert f"django/forms/widgets/{name}.html" in FAST
