"""WSGI entry point (gunicorn bma_tracker.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bma_tracker.settings")
application = get_wsgi_application()
