"""Where finished area reports are kept: Django's storage named "reports" (settings.STORAGES).

A local folder by default (REPORTS_ROOT); any storage backend can take its place, for example
object storage shared by several machines (docs/reports.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.storage.handler import InvalidStorageError


def report_storage() -> Storage:
    try:
        return storages["reports"]
    except InvalidStorageError:
        return FileSystemStorage(location=settings.REPORTS_ROOT)
