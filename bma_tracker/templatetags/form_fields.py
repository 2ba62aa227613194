"""{% load form_fields %}{{ form.field|bootstrap_field }}: one form field with the Bootstrap 5
markup crispy-forms gives it (label, widget, errors, help text; the same ids and classes), built
in Python. For the form staff fill in most, the monthly report: crispy's nested templates cost
more CPU than the rest of that page. The other forms keep crispy-forms."""

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _errors(field):
    if not field.errors:
        return ""
    items = format_html_join(
        "",
        '<p id="error_{}_{}"><strong>{}</strong></p>',
        ((n, field.auto_id, e) for n, e in enumerate(field.errors, 1)),
    )
    return format_html('<div id="{}_error" class="invalid-feedback">{}</div>', field.auto_id, items)


def _help(field):
    if not field.help_text:
        return ""
    return format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text)


@register.filter
def bootstrap_field(field):
    invalid = " is-invalid" if field.errors else ""
    if isinstance(field.field.widget, forms.CheckboxInput):
        widget = field.as_widget(attrs={"class": f"checkboxinput form-check-input{invalid}"})
        return format_html(
            '<div id="div_{}" class="mb-3"><div class="form-check">{}'
            '<label for="{}" class="form-check-label">{}</label>{}{}</div></div>',
            field.auto_id, widget, field.auto_id, field.label, _errors(field), _help(field),
        )  # fmt: skip
    kind = "textarea" if isinstance(field.field.widget, forms.Textarea) else "textinput"
    widget = field.as_widget(attrs={"class": f"{kind} form-control{invalid}"})
    required = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label>{}{}{}</div>',
        field.auto_id, field.auto_id, " requiredField" if field.field.required else "", field.label, required,
        widget, _errors(field), _help(field),
    )  # fmt: skip
