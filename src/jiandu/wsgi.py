"""WSGI entry point for app servers (gunicorn, uwsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("JIANDU_ENV", "production")  # an app server is production unless told otherwise
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiandu.settings.base")
application = get_wsgi_application()
