"""Must requirements cited before the text of their duty was read (docs/standard-format.md).

A `must` needs at least one citation checked against the primary text. A few duties are known to
be legal duties, and a standard would mislead families if it called them "should", but their
instrument's text has not yet been read where the service's authors could check it. Each is named
here with the document that creates the duty and the reason, so the exception is deliberate,
reviewed with the code and visible to anyone reading it. The citation itself stays
`verified: false`, and the requirement's page says so.

Once the text has been read, the next version marks the citation verified and needs no entry.
An entry stays while a version that relies on it is shipped in standards/data/, which must load.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple


class UnreadDuty(NamedTuple):
    document: str
    """The instrument that creates the duty: the requirement must cite it."""
    reason: str
    """Why the requirement is a must although its text has not been read."""


RECOMMENDATIONS_REGULATIONS = (
    "Special Educational Needs and Disability (First-tier Tribunal Recommendations Power)"
    " Regulations 2017"
)

MUSTS_CITED_BEFORE_READING: dict[str, UnreadDuty] = {
    "LA-SHORT-BREAKS-STATEMENT": UnreadDuty(
        document="Breaks for Carers of Disabled Children Regulations 2011",
        reason=(
            "reg 5 (SI 2011/707) requires the local authority's short breaks services statement."
            " Local authorities' published statements, and the Department for Education's advice"
            " on the regulations as they quote it, all describe this duty, but the text of reg 5"
            " could not be read on legislation.gov.uk when version 1.1 was written."
        ),
    ),
    "LA-TRIBUNAL-RECOMMENDATIONS": UnreadDuty(
        document=RECOMMENDATIONS_REGULATIONS,
        reason=(
            "reg 6 (SI 2017/1306) requires a written response within five weeks to the"
            " tribunal's social care recommendations. The explanatory note on legislation.gov.uk"
            " places the handling of recommendations in reg 6, but the text of reg 6 itself could"
            " not be read when version 1.1 was written."
        ),
    ),
    "ICB-TRIBUNAL-RECOMMENDATIONS": UnreadDuty(
        document=RECOMMENDATIONS_REGULATIONS,
        reason=(
            "The same reg 6 (SI 2017/1306) for health recommendations and the responsible"
            " commissioning body; its citation was marked checked in earlier versions although"
            " only the explanatory note had been read."
        ),
    ),
}


def cited_before_reading(key: str, citations: Iterable[dict[str, Any]]) -> bool:
    """Whether a must with no checked citation is one of the listed duties, citing its document."""
    duty = MUSTS_CITED_BEFORE_READING.get(key)
    return duty is not None and any(c.get("document") == duty.document for c in citations)
