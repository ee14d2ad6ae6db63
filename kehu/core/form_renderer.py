"""The form renderer (settings.FORM_RENDERER): Django's own, with its commonest widget templates
written in Python.

Django renders every widget through templates: an <input> is text.html, which includes
input.html, which includes attrs.html; a <select> renders select_option.html and attrs.html once
per option. On the customer-360 page (two forms, 19 fields) and the customer edit form that was
a third to a half of the page's template time (docs/PERFORMANCE.md, "Load"). The functions below
write the same bytes as those templates (autoescaping, localisation and Django's `stringformat`
included; kehu/core/tests/test_form_renderer.py compares them over many widgets and values).
Anything else (another template, a select whose options use another template, a value the
template language would call) goes through Django's templates as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

WIDGETS = "django/forms/widgets/"
OPTION = WIDGETS + "select_option.html"
CHOICE_OPTIONS = (WIDGETS + "radio_option.html", WIDGETS + "checkbox_option.html")


class _Fallback(Exception):
    """A value the fast path does not handle exactly as the templates would."""


def _plain(value: Any) -> Any:
    if callable(value):  # the template language would call it: leave that to the templates
        raise _Fallback
    return value


def _text(value: Any) -> str:
    """`{{ value }}`: localised, then escaped unless safe (render_value_in_context)."""
    value = localize(template_localtime(_plain(value)))
    if not issubclass(type(value), str):
        value = str(value)
    return str(conditional_escape(value))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`."""
    value = _plain(value)
    raw = str(value) if isinstance(value, tuple) else value
    try:
        out: str = "%s" % raw  # noqa: UP031 (Django's stringformat filter, as it is)
    except (ValueError, TypeError):
        out = ""
    if isinstance(value, SafeData):
        out = mark_safe(out)
    return str(conditional_escape(out))


def _attrs(widget: Mapping[str, Any]) -> str:
    """attrs.html."""
    attrs = _plain(widget["attrs"])
    if not isinstance(attrs, dict) or "items" in attrs:  # `attrs.items` would look up the key
        raise _Fallback
    parts = []
    for name, value in attrs.items():
        value = _plain(value)
        if value is not False:
            parts.append(" " + _text(name))
            if value is not True:
                parts.append(f'="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    """input.html (and text.html, date.html, ... which only include it)."""
    value = _plain(widget["value"])
    shown = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711 (as the template)
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{_attrs(widget)}>'


def _option(option: Mapping[str, Any]) -> str:
    """select_option.html (without its final newline)."""
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option)}>'
        f"{_text(option['label'])}</option>"
    )


def _select(widget: Mapping[str, Any]) -> str:
    """select.html with select_option.html inlined."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget)}>']
    for group_name, group_choices, _index in _plain(widget["optgroups"]):
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                raise _Fallback
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input_option(option: Mapping[str, Any]) -> str:
    """radio_option.html / checkbox_option.html: input_option.html, with their newlines."""
    html = _input(option) + "\n"
    if option["wrap_label"]:
        label_id = option["attrs"].get("id")
        label_for = f' for="{_text(label_id)}"' if label_id else ""
        html = f"<label{label_for}>{html} {_text(option['label'])}</label>"
    return html + "\n\n"


def _lone_option(option: Mapping[str, Any]) -> str:
    return _input_option(option).strip()


def _multiple_input(widget: Mapping[str, Any]) -> str:
    """radio.html / checkbox_select.html: multiple_input.html with its options inlined."""
    attrs = _plain(widget["attrs"])
    widget_id, widget_class = attrs.get("id"), attrs.get("class")
    parts = ["<div"]
    if widget_id:
        parts.append(f' id="{_text(widget_id)}"')
    if widget_class:
        parts.append(f' class="{_text(widget_class)}"')
    parts.append(">")
    for group, options, _index in _plain(widget["optgroups"]):
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            if option.get("template_name") not in CHOICE_OPTIONS:
                raise _Fallback
            parts.append(f"<div>\n    {_input_option(option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    """textarea.html."""
    value = _plain(widget["value"])
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget)}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


_INPUTS = (
    "checkbox color date datetime email file hidden number password search tel text time url"
).split()
# What each template renders, less the surrounding whitespace that BaseRenderer.render strips.
FAST: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{f"{WIDGETS}{name}.html": _input for name in _INPUTS},
    WIDGETS + "input.html": _input,
    WIDGETS + "select.html": _select,
    OPTION: _option,
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "radio.html": _multiple_input,
    WIDGETS + "checkbox_select.html": _multiple_input,
    **{name: _lone_option for name in CHOICE_OPTIONS},  # `{% for radio in field %}`
    WIDGETS + "input_option.html": _lone_option,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's DjangoTemplates renderer; the widgets in FAST are written without templates."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = FAST.get(template_name)
        widget = context.get("widget") if fast is not None else None
        if fast is not None and isinstance(widget, Mapping):
            try:
                return fast(widget)
            except (_Fallback, KeyError):
                pass
        return str(super().render(template_name, context, request))
