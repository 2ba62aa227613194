"""{% load project_access %}: ask projects.access from a template, for showing buttons only to
those the views will let through (the views check again)."""

from django import template

from projects import access

register = template.Library()


@register.filter
def can_edit(user, obj):
    """{% if user|can_edit:project %} — also for an indicator (anything with a unit)."""
    return access.can_edit_unit(user, getattr(obj, "unit", None))


@register.filter
def can_evaluate(user):
    return access.can_evaluate(user)
