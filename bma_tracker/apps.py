from django.apps import AppConfig


class BmaTrackerConfig(AppConfig):
    """Holds the shared template filters (templatetags/thai.py) and registers the URL path
    converters (converters.py) before any URLconf is read; no models."""

    name = "bma_tracker"

    def ready(self):
        from bma_tracker import converters

        converters.register()
