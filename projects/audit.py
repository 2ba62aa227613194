"""The audit trail and optimistic locking shared by the service functions.

Service functions (projects.services, indicators.services) call `audit_log` inside the same
transaction as the change, never from signals, and save edits through `locked_update`, which
refuses to overwrite a record someone else saved since the form was rendered.
"""

from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.db.models import F

from bma_tracker import thaidate
from projects.models import AuditEntry


class EditConflict(Exception):
    """The record changed since the form was rendered; `current` is the record as stored now."""

    def __init__(self, current):
        super().__init__("edit conflict")
        self.current = current


def json_value(value):
    """A field value as JSON: dates as ISO strings, decimals as strings, related objects by str()."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # Every decimal field here has 2 places: 45 typed and 45.00 stored are the same value.
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(json_value(v) for v in value)
    return value


def snapshot(obj, fields):
    """{field: JSON value} of an object's fields (a ForeignKey as the related object's str())."""
    return {name: json_value(getattr(obj, name)) for name in fields}


def diff(before, after):
    """{field: [old, new]} for the fields whose JSON value changed."""
    keys = list(before) + [k for k in after if k not in before]
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def audit_log(*, user, action, obj, project=None, changes=None, note=""):
    return AuditEntry.objects.create(
        project=project,
        model_label=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:255],
        action=action,
        changes=changes or {},
        note=note,
        user=user if user and user.is_authenticated else None,
    )


def locked_update(obj, *, version, values):
    """Write values to obj's row only if its version is still `version`, bumping the version.
    Raises EditConflict with the stored record when someone else saved first."""
    model = type(obj)
    updated = model.objects.filter(pk=obj.pk, version=version).update(**values, version=F("version") + 1)
    if not updated:
        raise EditConflict(model.objects.get(pk=obj.pk))
    for name, value in values.items():
        setattr(obj, name, value)
    obj.version = version + 1


def locked_save(model, *, key, version, values, fields, user, project=None):
    """Create the row of `model` that `key` (field lookups) names, or update it through
    locked_update, with its audit entry (`fields`: what the entry records). `version` is None
    when the form showed no row yet. Raises EditConflict when a row appeared meanwhile (found,
    or inserted by someone else first: current is that row) or changed since the form was
    rendered, and when the form had a row that is gone (current is None). Call it inside the
    caller's transaction."""
    obj = model.objects.filter(**key).first()
    if obj is None:
        if version is not None:
            raise EditConflict(None)
        try:
            with transaction.atomic():
                obj = model.objects.create(**key, **values)
        except IntegrityError:
            raise EditConflict(model.objects.get(**key)) from None
        changes = diff({}, snapshot(obj, fields))
        audit_log(user=user, action=AuditEntry.Action.CREATE, obj=obj, project=project, changes=changes)
        return obj
    if version is None:
        raise EditConflict(obj)
    before = snapshot(obj, fields)
    locked_update(obj, version=version, values=values)
    changes = diff(before, snapshot(obj, fields))
    if changes:  # a save that changes nothing leaves no empty history entry
        audit_log(user=user, action=AuditEntry.Action.UPDATE, obj=obj, project=project, changes=changes)
    return obj


def field_label(model_label, name):
    try:
        field = apps.get_model(model_label)._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return name
    if field.auto_created and not field.concrete:  # the records under it ("evidence": its files)
        return str(field.related_model._meta.verbose_name)
    return str(field.verbose_name)


def display_value(model_label, name, value):
    """A stored JSON value as people read it: Thai dates, choice labels, "-" for nothing."""
    if value is None or value == "" or value == []:
        return "-"
    try:
        field = apps.get_model(model_label)._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        field = None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        try:
            return thaidate.format_short(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def conflict_rows(current, yours):
    """[(field label, the stored value, your value)] for each field where what someone else
    saved differs from what you typed: shown instead of saving."""
    if current is None:
        return []
    label = current._meta.label_lower
    rows = []
    for name, value in yours.items():
        stored = json_value(getattr(current, name))
        typed = json_value(value)
        if stored != typed:
            rows.append(
                (field_label(label, name), display_value(label, name, stored), display_value(label, name, typed))
            )
    return rows


def ordered_changes(model_label, changes):
    """[(field, old, new)] in the model's field order (PostgreSQL's jsonb keeps no key order)."""
    try:
        names = [f.name for f in apps.get_model(model_label)._meta.get_fields()]
    except LookupError:
        names = []
    position = {name: i for i, name in enumerate(names)}
    return [(name, *changes[name]) for name in sorted(changes, key=lambda n: (position.get(n, len(names)), n))]


def describe_changes(entry):
    """[(field label, old, new)] of an audit entry, in the model's field order, as people read
    them: what a history page shows."""
    label = entry.model_label
    return [
        (field_label(label, name), display_value(label, name, old), display_value(label, name, new))
        for name, old, new in ordered_changes(label, entry.changes)
    ]
