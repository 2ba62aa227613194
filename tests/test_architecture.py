"""Dependencies point one way: bma_tracker ← projects ← indicators ← reports, and no product code
imports the development tooling (devtools). Writers (services, the importer, the admin) know
nothing of pages or caches: freshness comes from the database (bma_tracker/caching.py)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["bma_tracker", "projects", "indicators", "reports"]
# The composition root and settings wire every app together; they are not a layer.
WIRING = {"bma_tracker/urls.py", "bma_tracker/api_urls.py", "bma_tracker/settings.py"}
WRITERS = [
    "projects/services.py",
    "indicators/services.py",
    "indicators/rollover.py",
    "indicators/importing.py",
    "projects/admin.py",
]


def imported_modules(path):
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def product_files(app):
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_layers_below_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1 :]) | {"devtools"}
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in product_files(app)
        if str(path.relative_to(ROOT)) not in WIRING
        for module in imported_modules(path)
        if module.split(".")[0] in above
    ]
    assert wrong == []


@pytest.mark.parametrize("writer", WRITERS)
def test_writers_import_no_page_no_template_and_no_cache(writer):
    modules = set(imported_modules(ROOT / writer))
    forbidden = [
        module
        for module in modules
        if module.split(".")[0] == "reports"
        or "cach" in module
        or module.startswith(("django.template", "django.shortcuts", "django.core.cache"))
    ]
    assert forbidden == []
