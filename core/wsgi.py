import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: only manage.py and the Makefile choose local or test settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.production")
application = get_wsgi_application()
