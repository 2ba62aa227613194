"""Settings come from environment variables through strict readers: a bad value stops start-up
with a message naming the variable, instead of quietly running with a default."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bma_tracker.env import env_bool, env_decimal, env_int, env_list, env_str, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
NAME = "BMA_TEST_SETTING"


@pytest.fixture
def setting(monkeypatch):
    """Set NAME for one test (None: unset); monkeypatch puts the environment back afterwards."""

    def set_to(value):
        if value is None:
            monkeypatch.delenv(NAME, raising=False)
        else:
            monkeypatch.setenv(NAME, value)

    set_to(None)
    return set_to


class TestEnvStr:
    def test_it_returns_the_value(self, setting):
        setting("postgres://db/bma")
        assert env_str(NAME) == "postgres://db/bma"

    @pytest.mark.parametrize("value", [None, ""])
    def test_it_treats_unset_and_empty_alike(self, setting, value):
        setting(value)
        assert env_str(NAME, default="fallback") == "fallback"

    @pytest.mark.parametrize("value", [None, ""])
    def test_it_fails_loudly_when_a_required_value_is_missing(self, setting, value):
        setting(value)
        with pytest.raises(ImproperlyConfigured, match=f"The environment variable {NAME} is required"):
            env_str(NAME, required=True)


class TestEnvBool:
    @pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " On "])
    def test_it_reads_true(self, setting, value):
        setting(value)
        assert env_bool(NAME, default=False) is True

    @pytest.mark.parametrize("value", ["0", "false", "False", "no", "off", " OFF "])
    def test_it_reads_false(self, setting, value):
        setting(value)
        assert env_bool(NAME, default=True) is False

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_it_uses_the_default_when_unset_or_empty(self, setting, value):
        setting(value)
        assert env_bool(NAME, default=True) is True
        assert env_bool(NAME, default=False) is False

    @pytest.mark.parametrize("value", ["maybe", "2", "y", "enabled"])
    def test_it_fails_loudly_on_anything_else(self, setting, value):
        setting(value)
        with pytest.raises(ImproperlyConfigured, match=f"{NAME}='{value}' is not a boolean"):
            env_bool(NAME)


class TestEnvInt:
    @pytest.mark.parametrize(("value", "number"), [("60", 60), (" 5 ", 5), ("0", 0)])
    def test_it_reads_an_integer(self, setting, value, number):
        setting(value)
        assert env_int(NAME, 60, minimum=0) == number

    @pytest.mark.parametrize("value", [None, "", " "])
    def test_it_uses_the_default_when_unset_or_empty(self, setting, value):
        setting(value)
        assert env_int(NAME, 60) == 60

    @pytest.mark.parametrize("value", ["abc", "1.5", "60s", "1e3"])
    def test_it_fails_loudly_on_a_non_integer(self, setting, value):
        setting(value)
        with pytest.raises(ImproperlyConfigured, match="is not an integer"):
            env_int(NAME, 60)

    def test_it_fails_loudly_below_the_minimum(self, setting):
        setting("-1")
        with pytest.raises(ImproperlyConfigured, match=f"{NAME}=-1 must be at least 0"):
            env_int(NAME, 60, minimum=0)


class TestEnvDecimal:
    @pytest.mark.parametrize(("value", "number"), [("10", Decimal("10")), ("7.5", Decimal("7.5"))])
    def test_it_reads_a_number(self, setting, value, number):
        setting(value)
        assert env_decimal(NAME, "10") == number

    @pytest.mark.parametrize("value", [None, ""])
    def test_it_uses_the_default_when_unset_or_empty(self, setting, value):
        setting(value)
        assert env_decimal(NAME, "10") == Decimal("10")

    @pytest.mark.parametrize("value", ["ten", "10%", "NaN", "Infinity", "-inf"])
    def test_it_fails_loudly_on_anything_but_a_finite_number(self, setting, value):
        setting(value)
        with pytest.raises(ImproperlyConfigured, match="is not a number"):
            env_decimal(NAME, "10")


class TestEnvList:
    @pytest.mark.parametrize(
        ("value", "items"),
        [
            ("bma.go.th", ["bma.go.th"]),
            ("bma.go.th,tracker.bma.go.th", ["bma.go.th", "tracker.bma.go.th"]),
            (" bma.go.th , tracker.bma.go.th ", ["bma.go.th", "tracker.bma.go.th"]),
        ],
    )
    def test_it_reads_comma_separated_items(self, setting, value, items):
        setting(value)
        assert env_list(NAME) == items

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_it_uses_the_default_when_unset_or_empty(self, setting, value):
        # .env.example ships ALLOWED_HOSTS= (empty); that must mean "the default", not a crash.
        setting(value)
        assert env_list(NAME, default=["localhost"]) == ["localhost"]

    @pytest.mark.parametrize("value", ["a.example,,b.example", "a.example,", ",a.example", "a.example, ,b.example"])
    def test_it_fails_loudly_on_an_empty_item(self, setting, value):
        setting(value)
        with pytest.raises(ImproperlyConfigured, match="has an empty item"):
            env_list(NAME)


class TestLoadEnvFile:
    KEYS = ["BMA_TEST_A", "BMA_TEST_B", "BMA_TEST_C", "BMA_TEST_D", "BMA_TEST_E", "BMA_TEST_F", "BMA_TEST_SET"]

    @pytest.fixture(autouse=True)
    def clean(self, monkeypatch):
        for key in self.KEYS:
            monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("BMA_TEST_SET", "from-the-environment")

    def test_it_reads_values_skipping_comments_and_blank_lines_and_unquoting(self, tmp_path):
        env_file = tmp_path / ".env"
        env_file.write_text(
            "# a comment\n"
            "\n"
            "BMA_TEST_A=1\n"
            "  BMA_TEST_B = spaced  \n"
            "BMA_TEST_C='single quoted # not a comment'\n"
            'BMA_TEST_D="double quoted"\n'
            "BMA_TEST_E=postgres://u:p@db:5432/bma?sslmode=require\n"
            "BMA_TEST_F='it\"s'\n"
            "BMA_TEST_SET=from-the-file\n",
            encoding="utf-8",
        )
        load_env_file(env_file)
        assert os.environ["BMA_TEST_A"] == "1"
        assert os.environ["BMA_TEST_B"] == "spaced"
        assert os.environ["BMA_TEST_C"] == "single quoted # not a comment"
        assert os.environ["BMA_TEST_D"] == "double quoted"
        assert os.environ["BMA_TEST_E"] == "postgres://u:p@db:5432/bma?sslmode=require"
        assert os.environ["BMA_TEST_F"] == 'it"s'  # only a matching pair of quotes is removed

    def test_it_never_overrides_a_variable_already_set(self, tmp_path):
        env_file = tmp_path / ".env"
        env_file.write_text("BMA_TEST_SET=from-the-file\n", encoding="utf-8")
        load_env_file(env_file)
        assert os.environ["BMA_TEST_SET"] == "from-the-environment"

    def test_it_does_not_override_a_variable_set_to_empty(self, tmp_path, monkeypatch):
        monkeypatch.setenv("BMA_TEST_A", "")
        env_file = tmp_path / ".env"
        env_file.write_text("BMA_TEST_A=from-the-file\n", encoding="utf-8")
        load_env_file(env_file)
        assert os.environ["BMA_TEST_A"] == ""

    @pytest.mark.parametrize("line", ["BMA_TEST_A", "export BMA_TEST_A=1", "=1", "BMA-TEST=1"])
    def test_it_fails_loudly_on_a_line_that_is_not_key_equals_value(self, tmp_path, line):
        env_file = tmp_path / ".env"
        env_file.write_text(f"# first line\n{line}\n", encoding="utf-8")
        with pytest.raises(ImproperlyConfigured, match=rf"\.env:2: expected KEY=VALUE, got '{line}'"):
            load_env_file(env_file)

    def test_it_does_nothing_without_a_file(self, tmp_path):
        load_env_file(tmp_path / "missing.env")


def start_django(**env):
    """Start Django with the real settings module in a fresh interpreter and only these
    variables (plus PATH). Variables set here win over the project's .env file."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'bma_tracker.settings'; django.setup(); "
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.STORAGES['staticfiles']['BACKEND'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "a-real-secret-key", "ALLOWED_HOSTS": "tracker.bma.go.th"}


def test_it_starts_with_a_complete_production_environment():
    result = start_django(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "False ['tracker.bma.go.th'] whitenoise.storage.CompressedManifestStaticFilesStorage\n"


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    # SECRET_KEY='' is set, so the project's .env cannot fill it in; the reader treats '' as missing.
    result = start_django(**{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "ImproperlyConfigured: DEBUG='maybe' is not a boolean"),
        ("ALLOWED_HOSTS", "tracker.bma.go.th,,localhost", "ImproperlyConfigured: ALLOWED_HOSTS="),
        ("DB_CONN_MAX_AGE", "sixty", "ImproperlyConfigured: DB_CONN_MAX_AGE='sixty' is not an integer"),
        ("DB_CONN_MAX_AGE", "-5", "ImproperlyConfigured: DB_CONN_MAX_AGE=-5 must be at least 0"),
        ("DATABASE_URL", "garbage", "ImproperlyConfigured: DATABASE_URL is not a database URL I can read"),
        ("DATABASE_URL", "postgres://u@db:notaport/bma", "ImproperlyConfigured: DATABASE_URL is not a database URL"),
        ("SCHEDULE_BEHIND_MARGIN", "ten", "ImproperlyConfigured: SCHEDULE_BEHIND_MARGIN='ten' is not a number"),
        ("MAX_NARRATIVE_CHARS", "10", "ImproperlyConfigured: MAX_NARRATIVE_CHARS=10 must be at least 100"),
    ],
)
def test_it_refuses_to_start_on_a_bad_value(variable, value, message):
    result = start_django(**{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_it_starts_with_every_variable_of_env_example_left_empty():
    # What `make run` starts from: .env.example with DEBUG=1 and the rest blank.
    example = {}
    for line in (BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            example[key.strip()] = value.strip()
    assert "ALLOWED_HOSTS" in example and example["ALLOWED_HOSTS"] == ""
    result = start_django(**{**example, "DEBUG": "1", "SECRET_KEY": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("True ['127.0.0.1', 'localhost'] django.contrib.staticfiles.storage.StaticFilesStorage\n")
