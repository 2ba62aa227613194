"""Strict readers for settings taken from environment variables.

Each reader fails loudly (ImproperlyConfigured) on a value it cannot read, so a typo in a
deployment's environment stops the process at start-up instead of silently using a default.
An empty value (`NAME=`, as in .env.example) means "not set" to every reader.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name, default=None, *, minimum=None):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_decimal(name, default):
    from decimal import Decimal, InvalidOperation

    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return Decimal(default)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if not number.is_finite():  # Decimal reads "NaN" and "Infinity"; no setting means those
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.")
    return number


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate values with single commas.")
    return items


def env_quarter_targets(name, default):
    """Cumulative percent targets at the end of quarters 1–4, for every fiscal year and optionally
    per fiscal year: "32,54,77,100" or "32,54,77,100;2569=30,52,75,100". Returns {0: default
    targets, year: that year's targets}; four numbers 0–100 that never go down, or it fails."""
    value = os.environ.get(name)
    text = default if value is None or value.strip() == "" else value
    targets = {}
    for part in text.split(";"):
        year, sep, numbers = part.strip().rpartition("=")
        try:
            key = int(year) if sep else 0
            quarters = tuple(int(item) for item in numbers.split(","))
        except ValueError:
            raise ImproperlyConfigured(f"{name}={text!r}: expected e.g. 32,54,77,100;2569=30,52,75,100.") from None
        if len(quarters) != 4 or list(quarters) != sorted(quarters) or not 0 <= quarters[0] <= quarters[3] <= 100:
            raise ImproperlyConfigured(f"{name}={text!r}: each set is four rising percents 0–100, one per quarter.")
        if key in targets or (sep and not 2500 <= key <= 2700):
            raise ImproperlyConfigured(f"{name}={text!r}: a fiscal year (BE, e.g. 2569) given twice or out of range.")
        targets[key] = quarters
    if 0 not in targets:
        raise ImproperlyConfigured(f"{name}={text!r}: the first set (without a year) applies to every other year.")
    return targets


def env_json_object(name):
    """A JSON object ({} when unset), e.g. a storage backend's options."""
    import json

    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object ({{...}}).")
    return data


def load_env_file(path):
    """Read KEY=VALUE lines from a local .env file into os.environ, never overriding a variable
    that is already set. `make run` writes one for development (DEBUG=1, a random SECRET_KEY)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]  # only a matching pair: a quote inside a secret is part of it
        os.environ.setdefault(key.strip(), value)
