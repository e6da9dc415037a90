"""The Celery application. Workers start with `celery -A core worker`."""

import os
from pathlib import Path

from celery import Celery

# Production unless told otherwise: only manage.py and the Makefile choose local or test settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.production")

app = Celery("core")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders() -> None:
    """The filesystem transport needs its folders to exist before a worker or a sender uses them."""
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _create_folders(sender: Celery, **kwargs: object) -> None:
    ensure_filesystem_broker_folders()
