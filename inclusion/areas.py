"""The areas (local authorities) as the family pages use them, kept in each process.

There are about 150, and they change only when `import_areas` runs; yet every family page lists
them twice in its form and every postcode search names one. So each process reads them once and
keeps them for AREAS_TTL_SECONDS, or until an area is saved or deleted in that process (the
signals below). An area looked up by id that is not kept is read again at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from providers.models import Area

AREAS_TTL_SECONDS = 300.0


@dataclass(frozen=True)
class _Kept:
    read_at: float
    by_pk: dict[int, Area]
    # Each area's code and its <option> element without and with " selected", by name.
    options: list[tuple[str, str, str]]


_kept: _Kept | None = None
_lock = threading.Lock()


def _read() -> _Kept:
    areas = list(Area.objects.order_by("name", "code"))
    options = []
    for area in areas:
        code, name = escape(area.code), escape(area.name)
        options.append(
            (
                area.code,
                f'<option value="{code}">{name}</option>',
                f'<option value="{code}" selected>{name}</option>',
            )
        )
    return _Kept(read_at=time.monotonic(), by_pk={a.pk: a for a in areas}, options=options)


def _areas(*, fresh: bool = False) -> _Kept:
    global _kept
    kept = _kept
    if fresh or kept is None or time.monotonic() - kept.read_at > AREAS_TTL_SECONDS:
        with _lock:
            kept = _kept = _read()
    return kept


def area_by_pk(pk: int) -> Area | None:
    """The area with this id (read again if it is not kept), or None."""
    area = _areas().by_pk.get(pk)
    if area is None:
        area = _areas(fresh=True).by_pk.get(pk)
    return area


def area_options_html(selected: set[str]) -> SafeString:
    """The <option> elements of a local authority drop-down, ordered by name (escaped here)."""
    return mark_safe("".join(on if code in selected else off for code, off, on in _areas().options))


def forget_areas() -> None:
    global _kept
    _kept = None


@receiver(post_save, sender=Area)
@receiver(post_delete, sender=Area)
def _area_changed(**kwargs: Any) -> None:
    forget_areas()
