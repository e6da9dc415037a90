"""Areas (England's 153 local authorities), integrated care boards and the providers in them.

Reference data (areas, ICBs, coverage) is loaded by `import_areas`; schools, colleges and other
establishments by `import_gias` from DfE's Get Information about Schools (GIAS) extract.
"""

from django.db import models
from django.db.models import Q

from standards.vocabulary import ProviderType


class Area(models.Model):
    """A local authority area: the unit an area officer sees and the SEND system is run in."""

    code = models.CharField(
        "LA code", max_length=3, unique=True, help_text="DfE's 3-digit LA code, e.g. 201."
    )
    gss_code = models.CharField(
        "GSS code",
        max_length=9,
        unique=True,
        help_text="The 9-character code DfE uses for the area, e.g. E09000001.",
    )
    name = models.CharField(max_length=100)
    region_code = models.CharField(max_length=9)
    region_name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AreaCodeAlias(models.Model):
    """Another 9-character code meaning the same area (ONS and DfE disagree for a few areas)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aliases")
    code = models.CharField(max_length=9, unique=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "area code aliases"

    def __str__(self) -> str:
        return f"{self.code} → {self.area.gss_code}"


class IntegratedCareBoard(models.Model):
    code = models.CharField("ONS code", max_length=9, unique=True, help_text="e.g. E54000029.")
    nhs_code = models.CharField("NHS code", max_length=5, unique=True, help_text="e.g. QMF.")
    name = models.CharField(max_length=200)
    areas: "models.ManyToManyField[Area, IcbAreaCoverage]" = models.ManyToManyField(
        Area, through="IcbAreaCoverage", related_name="icbs"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "integrated care board"

    def __str__(self) -> str:
        return self.name


class IcbCodeAlias(models.Model):
    """A former ONS code of an ICB (Surrey Heartlands and Sussex were recoded in 2024)."""

    icb = models.ForeignKey(IntegratedCareBoard, on_delete=models.CASCADE, related_name="aliases")
    code = models.CharField(max_length=9, unique=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "ICB code alias"
        verbose_name_plural = "ICB code aliases"

    def __str__(self) -> str:
        return f"{self.code} → {self.icb.code}"


class IcbAreaCoverage(models.Model):
    """How much of an area an ICB covers, as a share of the area's small areas (LSOAs)."""

    icb = models.ForeignKey(IntegratedCareBoard, on_delete=models.CASCADE, related_name="coverage")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="icb_coverage")
    share = models.DecimalField(max_digits=5, decimal_places=4)
    lsoa_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["area__name", "-share"]
        constraints = [
            models.UniqueConstraint(fields=["icb", "area"], name="icb_area_coverage_unique"),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=1), name="icb_area_coverage_share_0_1"
            ),
        ]
        verbose_name = "ICB area coverage"
        verbose_name_plural = "ICB area coverage"

    def __str__(self) -> str:
        return f"{self.icb} covers {self.share:.1%} of {self.area}"


class Trust(models.Model):
    """An academy trust or a (foundation) trust, as GIAS names it in "Trusts (code)"."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE_DEEMED_PRIMARY = "middle_deemed_primary", "Middle deemed primary"
    SECONDARY = "secondary", "Secondary"
    MIDDLE_DEEMED_SECONDARY = "middle_deemed_secondary", "Middle deemed secondary"
    SIXTEEN_PLUS = "sixteen_plus", "16 plus"
    ALL_THROUGH = "all_through", "All-through"


class ProviderStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    PROPOSED_TO_OPEN = "proposed_to_open", "Proposed to open"
    PROPOSED_TO_CLOSE = "proposed_to_close", "Open, but proposed to close"


# Statuses under which a provider is operating today.
OPEN_STATUSES = (ProviderStatus.OPEN, ProviderStatus.PROPOSED_TO_CLOSE)


class ResourcedProvision(models.TextChoices):
    NONE = "none", "None"
    RESOURCED_PROVISION = "resourced_provision", "Resourced provision"
    SEN_UNIT = "sen_unit", "SEN unit"
    BOTH = "both", "Resourced provision and SEN unit"


class LocationSource(models.TextChoices):
    """Where a provider's (or a postcode's) British National Grid location came from."""

    UNKNOWN = "", "Not known"
    GIAS = "gias", "GIAS easting and northing"
    POSTCODE = "postcode", "Exact postcode"
    SECTOR = "sector", "Average of the postcode sector"
    DISTRICT = "district", "Average of the postcode district"


class Provider(models.Model):
    """Anyone who declares provision: a school, setting, college, local authority or ICB."""

    provider_type = models.CharField(max_length=40, choices=ProviderType.choices)
    name = models.CharField(max_length=255)
    urn = models.CharField("URN", max_length=20, null=True, blank=True)
    ukprn = models.CharField("UKPRN", max_length=8, null=True, blank=True)
    la_code = models.CharField(
        "LA code",
        max_length=3,
        null=True,
        blank=True,
        help_text="Set only for a local authority: its area's 3-digit code.",
    )
    icb_code = models.CharField(
        "ICB code",
        max_length=9,
        null=True,
        blank=True,
        help_text="Set only for an integrated care board: its ONS code.",
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="providers"
    )
    icb = models.ForeignKey(
        IntegratedCareBoard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="providers",
        help_text="For an ICB provider, the ICB it is.",
    )
    trust = models.ForeignKey(
        Trust, on_delete=models.SET_NULL, null=True, blank=True, related_name="providers"
    )
    phase = models.CharField(max_length=30, choices=Phase.choices, default=Phase.NOT_APPLICABLE)
    status = models.CharField(
        max_length=20, choices=ProviderStatus.choices, default=ProviderStatus.OPEN
    )
    establishment_type = models.CharField(
        max_length=100, blank=True, help_text="The GIAS establishment type name."
    )
    street = models.CharField(max_length=255, blank=True)
    locality = models.CharField(max_length=255, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    website = models.CharField(max_length=500, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    resourced_provision = models.CharField(
        max_length=20, choices=ResourcedProvision.choices, default=ResourcedProvision.NONE
    )
    resourced_provision_capacity = models.PositiveIntegerField(null=True, blank=True)
    resourced_provision_on_roll = models.PositiveIntegerField(null=True, blank=True)
    sen_unit_capacity = models.PositiveIntegerField(null=True, blank=True)
    sen_unit_on_roll = models.PositiveIntegerField(null=True, blank=True)
    sen_provision_types = models.JSONField(
        default=list,
        blank=True,
        help_text='Types of need catered for, as GIAS names them, e.g. "ASD - Autistic Spectrum Disorder".',
    )
    statutory_low_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="GIAS StatutoryLowAge: the youngest age admitted."
    )
    statutory_high_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="GIAS StatutoryHighAge: the oldest age admitted."
    )
    easting = models.PositiveIntegerField(
        null=True, blank=True, help_text="British National Grid easting (EPSG:27700), metres."
    )
    northing = models.PositiveIntegerField(
        null=True, blank=True, help_text="British National Grid northing (EPSG:27700), metres."
    )
    location_source = models.CharField(
        max_length=10, choices=LocationSource.choices, default=LocationSource.UNKNOWN, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(statutory_low_age__isnull=True)
                | Q(statutory_high_age__isnull=True)
                | Q(statutory_low_age__lte=models.F("statutory_high_age")),
                name="provider_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(easting__isnull=True) & Q(northing__isnull=True))
                | (Q(easting__isnull=False) & Q(northing__isnull=False)),
                name="provider_location_complete",
            ),
            models.UniqueConstraint(
                fields=["urn"], condition=Q(urn__isnull=False), name="provider_urn_unique"
            ),
            models.UniqueConstraint(
                fields=["ukprn"], condition=Q(ukprn__isnull=False), name="provider_ukprn_unique"
            ),
            models.UniqueConstraint(
                fields=["la_code"],
                condition=Q(la_code__isnull=False),
                name="provider_la_code_unique",
            ),
            models.UniqueConstraint(
                fields=["icb_code"],
                condition=Q(icb_code__isnull=False),
                name="provider_icb_code_unique",
            ),
            models.CheckConstraint(
                condition=(
                    Q(provider_type=ProviderType.LOCAL_AUTHORITY, la_code__isnull=False)
                    | (~Q(provider_type=ProviderType.LOCAL_AUTHORITY) & Q(la_code__isnull=True))
                ),
                name="provider_la_code_iff_local_authority",
            ),
            models.CheckConstraint(
                condition=(
                    Q(provider_type=ProviderType.INTEGRATED_CARE_BOARD, icb_code__isnull=False)
                    | (
                        ~Q(provider_type=ProviderType.INTEGRATED_CARE_BOARD)
                        & Q(icb_code__isnull=True)
                    )
                ),
                name="provider_icb_code_iff_icb",
            ),
            models.CheckConstraint(
                condition=Q(area__isnull=False)
                | Q(provider_type=ProviderType.INTEGRATED_CARE_BOARD),
                name="provider_area_unless_icb",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "provider_type"], name="provider_area_type_idx"),
            models.Index(fields=["status"], name="provider_status_idx"),
            # Find a setting's box on the grid (inclusion.search): a range of eastings, each
            # entry's northing checked in the index. It holds every column the search's box
            # reads (status, kind, phase, ages, name, area), so the 3,000 to 4,000 settings
            # within 20 miles of a town are counted and ordered from the index alone, without
            # reading their rows (an index-only scan, PostgreSQL; SQLite ignores INCLUDE).
            models.Index(
                fields=["easting", "northing"],
                include=[
                    "id",
                    "status",
                    "provider_type",
                    "phase",
                    "statutory_low_age",
                    "statutory_high_age",
                    "area",
                    "name",
                ],
                name="provider_location_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class LinkDirection(models.TextChoices):
    PREDECESSOR = "predecessor", "Predecessor"
    SUCCESSOR = "successor", "Successor"
    OTHER = "other", "Other"


def link_direction(link_type: str) -> str:
    """What the linked establishment is to this one, from GIAS's link type text.

    "Successor", "Successor - merged", "Successor - Split School" … → successor;
    "Predecessor …" → predecessor; anything else ("Result of Amalgamation", "Sixth Form Centre
    Link", "Merged - …", "Closure", "Other") → other, because GIAS uses those both ways round.
    """
    text = link_type.strip().lower()
    if text.startswith("successor"):
        return LinkDirection.SUCCESSOR
    if text.startswith("predecessor"):
        return LinkDirection.PREDECESSOR
    return LinkDirection.OTHER


class ProviderLink(models.Model):
    """A GIAS link: `linked_urn` is this provider's predecessor, successor or other relation."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="links")
    linked_urn = models.CharField("linked URN", max_length=20)
    linked_provider = models.ForeignKey(
        Provider,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_from",
        help_text="The provider with the linked URN, when it is known.",
    )
    link_type = models.CharField(
        max_length=100, help_text='As GIAS gives it, e.g. "Successor - merged".'
    )
    direction = models.CharField(max_length=12, choices=LinkDirection.choices)
    established_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["provider", "established_on", "linked_urn"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "linked_urn", "link_type"], name="provider_link_unique"
            )
        ]
        indexes = [models.Index(fields=["linked_urn"], name="provider_link_linked_urn_idx")]

    def __str__(self) -> str:
        return f"{self.provider}: {self.link_type} {self.linked_urn}"
