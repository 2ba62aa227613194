from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tooling — demo data (seed_demo) and the benchmark (bench) — that no product code imports."""

    name = "devtools"
