"""Reading and checking a standard version file.

`parse_version_file` turns YAML or JSON text into a normalised version document, or a list
of problems each named by its place in the file. Nothing here touches the database.

By capability: `reading` (text to data; problems), `schema` (the JSON Schema), `checks` (what
a schema cannot express), `normalising` (the normalised document, its canonical text).
"""

from standards.format.checks import (
    document_problems,
    requirement_problems,
    rule_problems,
    semantic_problems,
)
from standards.format.normalising import (
    canonical_text,
    differing_places,
    normalise,
    normalise_answer,
    normalise_requirement,
    normalise_rule,
    parse_version_text,
)
from standards.format.reading import (
    DEFAULT_TEXT_MAX_LENGTH,
    FORMAT_VERSION,
    SCHEMA_PATH,
    Problem,
    StandardFormatError,
    load_schema,
    normalise_number,
    place_of,
    read_text,
)
from standards.format.schema import schema_problems

__all__ = [
    "DEFAULT_TEXT_MAX_LENGTH",
    "FORMAT_VERSION",
    "SCHEMA_PATH",
    "Problem",
    "StandardFormatError",
    "canonical_text",
    "differing_places",
    "document_problems",
    "load_schema",
    "normalise",
    "normalise_answer",
    "normalise_number",
    "normalise_requirement",
    "normalise_rule",
    "parse_version_text",
    "place_of",
    "read_text",
    "requirement_problems",
    "rule_problems",
    "schema_problems",
    "semantic_problems",
]
