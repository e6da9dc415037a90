"""How the declaration services refuse: each door (page or API) maps these to its own answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError

if TYPE_CHECKING:
    from audits.models import Answer, Declaration


class Conflict(ValidationError):
    """The request is well formed but the declaration's state refuses it: it has been submitted,
    it is still a draft, or a later revision supersedes it. A ValidationError, so that a form
    showing refusals shows this one too; the API answers it with 409, not 400."""


class ReviewRefused(PermissionDenied):
    """This person may not review this declaration: it is outside what they review, or they
    submitted it or changed its answers (duties kept apart). Its message says why; the page
    shows it instead of the review form and the API answers it with 403."""


class StaleAnswer(Exception):
    """Someone else changed the answer after it was loaded; nothing was saved."""

    def __init__(self, current: Answer):
        self.current = current
        super().__init__(f"{current.requirement_key} was changed by someone else")


class StaleDeclaration(Exception):
    def __init__(self, current: Declaration):
        self.current = current
        super().__init__("The declaration was changed by someone else")


class IncompleteDeclaration(Exception):
    def __init__(self, missing: list[Answer], errors: dict[str, dict[str, str]]):
        self.missing = missing
        self.errors = errors
        super().__init__(f"{len(missing)} answers are missing or incomplete")
