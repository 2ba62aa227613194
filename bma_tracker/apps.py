from django.apps import AppConfig


class BmaTrackerConfig(AppConfig):
    """Holds the shared template filters (templatetags/thai.py); no models."""

    name = "bma_tracker"
