"""Types of special educational need, as GIAS names them, and the Code of Practice's broad areas.

GIAS lists the types of need a special school, resourced provision or SEN unit caters for in
`SEN1 (name)` … `SEN13 (name)`, as text such as "ASD - Autistic Spectrum Disorder". The SEND Code
of Practice (2015, paragraphs 6.28 to 6.35) groups needs into four broad areas; GIAS's "OTH -
Other Difficulty/Disability" belongs to none of them and is kept as its own group.
"""

from __future__ import annotations

from django.db import models


class BroadArea(models.TextChoices):
    COMMUNICATION = "communication_interaction", "Communication and interaction"
    COGNITION = "cognition_learning", "Cognition and learning"
    SEMH = "social_emotional_mental_health", "Social, emotional and mental health"
    SENSORY_PHYSICAL = "sensory_physical", "Sensory and/or physical needs"
    OTHER = "other", "Other"


class NeedType(models.TextChoices):
    """GIAS's SEN provision codes."""

    ASD = "ASD", "Autistic spectrum disorder"
    SLCN = "SLCN", "Speech, language and communication needs"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    SPLD = "SpLD", "Specific learning difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Visual impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    OTH = "OTH", "Other difficulty or disability"


BROAD_AREA_OF: dict[str, str] = {
    NeedType.ASD: BroadArea.COMMUNICATION,
    NeedType.SLCN: BroadArea.COMMUNICATION,
    NeedType.MLD: BroadArea.COGNITION,
    NeedType.SLD: BroadArea.COGNITION,
    NeedType.PMLD: BroadArea.COGNITION,
    NeedType.SPLD: BroadArea.COGNITION,
    NeedType.SEMH: BroadArea.SEMH,
    NeedType.HI: BroadArea.SENSORY_PHYSICAL,
    NeedType.VI: BroadArea.SENSORY_PHYSICAL,
    NeedType.MSI: BroadArea.SENSORY_PHYSICAL,
    NeedType.PD: BroadArea.SENSORY_PHYSICAL,
    NeedType.OTH: BroadArea.OTHER,
}

# GIAS writes codes in varying case ("SpLD", "SPLD"); match them without it.
_CODE_BY_UPPER = {code.upper(): code for code in NeedType.values}


def need_type_code(gias_name: str) -> str | None:
    """The need code of a GIAS SEN provision name ("ASD - Autistic Spectrum Disorder" → "ASD")."""
    head = (gias_name or "").split("-", 1)[0].strip().upper()
    return _CODE_BY_UPPER.get(head)


def need_types_in(area: str) -> list[str]:
    """The need codes in one broad area."""
    return [code for code, broad in BROAD_AREA_OF.items() if broad == area]
