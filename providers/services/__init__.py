"""Writes for areas and providers, by capability: reference data (`areas`), the GIAS extract
(`gias_import`) and its links (`gias_links`), and what an import reports (`reports`)."""

from providers.services.areas import (
    DATA_DIR,
    AreasImportReport,
    import_areas,
    upsert_icb_provider,
    upsert_local_authority_provider,
)
from providers.services.gias_import import import_gias
from providers.services.gias_links import SKIP_UNKNOWN_PROVIDER, import_gias_links
from providers.services.reports import GiasImportReport, ImportReport, LinksImportReport

__all__ = [
    "DATA_DIR",
    "SKIP_UNKNOWN_PROVIDER",
    "AreasImportReport",
    "GiasImportReport",
    "ImportReport",
    "LinksImportReport",
    "import_areas",
    "import_gias",
    "import_gias_links",
    "upsert_icb_provider",
    "upsert_local_authority_provider",
]
