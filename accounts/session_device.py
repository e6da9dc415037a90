"""The second factor a session was verified with, read on every signed-in request.

django-otp looks the session's device up in the database on every request, to check that it
still exists, is confirmed and belongs to the person. Where the cache is shared by every
process (Redis or Memcached), what it needs from the device (whose it is, whether it is
confirmed) is kept there by its persistent id (common.shared_cache), and never its secret; a
device saved or deleted is forgotten (accounts.apps connects `forget_device` to each device
model's `post_save` and `post_delete`). A process-local cache cannot be told of a change made
in another process, so with one the database is read every time. Resetting someone's second
factor also ends their sessions (accounts.services).

The device returned from the cache holds its id, person and confirmation only; any other field
is read from the database when it is used, as a deferred field of a Django model is.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.base import DEFERRED
from django_otp.models import Device

from common import shared_cache
from common.shared_cache import forget, kept

DEVICE_TIMEOUT = 300
KEPT = ("id", "user_id", "confirmed")


def _key(persistent_id: str) -> str:
    return f"accounts:session-device:{persistent_id}"


def _model(persistent_id: str) -> Any:
    label = persistent_id.split("/", 1)[0]
    return apps.get_model(label)


def session_device(*, persistent_id: str) -> Device | None:
    """The device with this persistent id ("otp_totp.totpdevice/12"), or None."""
    if not shared_cache.cache_is_shared():
        return Device.from_persistent_id(persistent_id)
    found = kept(_key(persistent_id), lambda: _essentials(persistent_id), DEVICE_TIMEOUT)
    if found is None:
        return None
    model = _model(persistent_id)
    values = dict(zip(KEPT, found, strict=True))
    return model.from_db(  # type: ignore[no-any-return]
        DEFAULT_DB_ALIAS,
        list(KEPT),
        [values.get(f.attname, DEFERRED) for f in model._meta.concrete_fields],
    )


def _essentials(persistent_id: str) -> tuple[Any, ...] | None:
    device = Device.from_persistent_id(persistent_id)
    return None if device is None else (device.pk, device.user_id, device.confirmed)


def forget_device(sender: Any, *, instance: Device, **kwargs: Any) -> None:
    """A device saved or deleted: it is read afresh at the next request."""
    if instance.pk is not None:
        forget(_key(instance.persistent_id))
