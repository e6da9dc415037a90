"""The columns of GIAS's "all establishment data" extract that the importer reads, and the
values it knows in them."""

from providers.models import Phase, ProviderStatus, ResourcedProvision

URN = "URN"
NAME = "EstablishmentName"
TYPE = "TypeOfEstablishment (name)"
STATUS = "EstablishmentStatus (name)"
LA_CODE = "LA (code)"
REQUIRED_COLUMNS = (URN, NAME, TYPE, STATUS, LA_CODE)

UKPRN = "UKPRN"
PHASE = "PhaseOfEducation (name)"
TRUST_CODE = "Trusts (code)"
TRUST_NAME = "Trusts (name)"
STREET = "Street"
LOCALITY = "Locality"
TOWN = "Town"
POSTCODE = "Postcode"
WEBSITE = "SchoolWebsite"
OPEN_DATE = "OpenDate"
CLOSE_DATE = "CloseDate"
RP_TYPE = "TypeOfResourcedProvision (name)"
RP_CAPACITY = "ResourcedProvisionCapacity"
RP_ON_ROLL = "ResourcedProvisionOnRoll"
SU_CAPACITY = "SenUnitCapacity"
SU_ON_ROLL = "SenUnitOnRoll"
SEN_COLUMNS = tuple(f"SEN{n} (name)" for n in range(1, 14))
LOW_AGE = "StatutoryLowAge"
HIGH_AGE = "StatutoryHighAge"
EASTING = "Easting"
NORTHING = "Northing"
MAX_AGE = 99
# British National Grid bounds (EPSG:27700), metres: anything else is not a place in Britain.
MAX_EASTING = 700_000
MAX_NORTHING = 1_300_000

STATUSES = {
    "open": ProviderStatus.OPEN,
    "closed": ProviderStatus.CLOSED,
    "open, but proposed to close": ProviderStatus.PROPOSED_TO_CLOSE,
    "proposed to open": ProviderStatus.PROPOSED_TO_OPEN,
}
PHASES = {
    "": Phase.NOT_APPLICABLE,
    "not applicable": Phase.NOT_APPLICABLE,
    "nursery": Phase.NURSERY,
    "primary": Phase.PRIMARY,
    "middle deemed primary": Phase.MIDDLE_DEEMED_PRIMARY,
    "secondary": Phase.SECONDARY,
    "middle deemed secondary": Phase.MIDDLE_DEEMED_SECONDARY,
    "16 plus": Phase.SIXTEEN_PLUS,
    "all-through": Phase.ALL_THROUGH,
    "all through": Phase.ALL_THROUGH,
}
RESOURCED_PROVISION = {
    "": ResourcedProvision.NONE,
    "not applicable": ResourcedProvision.NONE,
    "resourced provision": ResourcedProvision.RESOURCED_PROVISION,
    "sen unit": ResourcedProvision.SEN_UNIT,
    "resourced provision and sen unit": ResourcedProvision.BOTH,
}
NOT_APPLICABLE = {"", "not applicable", "not applicable."}
