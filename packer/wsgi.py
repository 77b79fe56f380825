"""WSGI entry point (management tools only: the server runs under ASGI, see packer/asgi.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
application = get_wsgi_application()
