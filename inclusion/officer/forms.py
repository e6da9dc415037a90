"""Forms for the local inclusion plan pages. They parse and check; the services write."""

from __future__ import annotations

from typing import Any

from django import forms

from inclusion.entries import PlaceValues, place_problems
from inclusion.models import CommonSettingKind, PlaceKind
from inclusion.needs import BROAD_AREA_OF, BroadArea, NeedType
from inclusion.selectors.plans import provider_by_reference
from providers.models import Provider

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _whole_number(text: str, label: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("-") and text[1:].isdigit():
        raise forms.ValidationError(f"The {label} must be 0 or more")
    if not text.isdigit():
        raise forms.ValidationError(f"The {label} must be a whole number, like 12")
    return int(text)


class StartPlanForm(forms.Form):
    academic_year = forms.ChoiceField(
        label="Academic year",
        error_messages={
            "required": "Select the academic year",
            "invalid_choice": "Select the academic year",
        },
    )

    def __init__(self, *args: Any, years: list[tuple[str, str]], **kwargs: Any) -> None:
        """`years`: (academic year, what starting it would do) for each year offered."""
        super().__init__(*args, **kwargs)
        field = self.fields["academic_year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = years


class DetailsForm(forms.Form):
    ordinarily_available_summary = forms.CharField(
        label="What every mainstream setting offers without an EHC plan",
        help_text="In plain English: the area’s ordinarily available provision.",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
    )
    ordinarily_available_url = forms.URLField(
        assume_scheme="https",
        label="Link to the area’s own document",
        help_text="A web address starting with https://",
        required=False,
        max_length=500,
        error_messages={"invalid": "Enter a web address starting with https://"},
    )
    send_team_contact = forms.CharField(
        label="SEND team",
        help_text="Phone, email or address",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )
    sendiass_contact = forms.CharField(
        label="SENDIASS (information, advice and support service)",
        help_text="Phone, email or address",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )
    local_offer_url = forms.URLField(
        assume_scheme="https",
        label="Local Offer web address",
        required=False,
        max_length=500,
        error_messages={"invalid": "Enter a web address starting with https://"},
    )


NEED_CHOICES = [(code, f"{code}: {label}") for code, label in NeedType.choices]


def need_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Need types grouped by the Code of Practice's broad areas, for the checkboxes."""
    return [
        (
            str(area.label),
            [(code, label) for code, label in NEED_CHOICES if BROAD_AREA_OF[code] == area],
        )
        for area in BroadArea
    ]


class PlaceForm(forms.Form):
    """A specialist place entry. With `adding`, the setting is named by its URN or UKPRN."""

    reference = forms.CharField(
        label="URN or UKPRN of the setting",
        help_text="The 6-digit URN from Get Information about Schools, or a college’s 8-digit UKPRN",
        required=False,
        max_length=20,
    )
    kind = forms.ChoiceField(
        label="Kind of place",
        choices=PlaceKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of place",
            "invalid_choice": "Select the kind of place",
        },
    )
    need_types = forms.MultipleChoiceField(
        label="Types of need the places are for",
        choices=NEED_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select need types from the list"},
    )
    age_low = forms.CharField(label="Youngest age", required=False, max_length=3)
    age_high = forms.CharField(label="Oldest age", required=False, max_length=3)
    places = forms.CharField(
        label="Places commissioned",
        help_text="Leave blank if not known",
        required=False,
        max_length=7,
    )
    on_roll = forms.CharField(
        label="Number on roll", help_text="Leave blank if not known", required=False, max_length=7
    )

    def __init__(self, *args: Any, adding: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adding = adding
        self.provider: Provider | None = None
        if not adding:
            del self.fields["reference"]

    def clean_reference(self) -> str:
        text = self.cleaned_data.get("reference", "").strip()
        if not text:
            raise forms.ValidationError("Enter the URN or UKPRN of the setting")
        self.provider = provider_by_reference(reference=text)
        if self.provider is None:
            raise forms.ValidationError(f"No setting has the URN or UKPRN {text}: check the number")
        return text

    def clean_age_low(self) -> int | None:
        return _whole_number(self.cleaned_data.get("age_low", ""), "youngest age")

    def clean_age_high(self) -> int | None:
        return _whole_number(self.cleaned_data.get("age_high", ""), "oldest age")

    def clean_places(self) -> int | None:
        return _whole_number(self.cleaned_data.get("places", ""), "places commissioned")

    def clean_on_roll(self) -> int | None:
        return _whole_number(self.cleaned_data.get("on_roll", ""), "number on roll")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.errors:
            return data
        for name, problem in place_problems(self.values()).items():
            self.add_error(name, problem)
        return data

    def values(self) -> PlaceValues:
        data = self.cleaned_data
        return PlaceValues(
            kind=data.get("kind", ""),
            need_types=sorted(data.get("need_types") or []),
            age_low=data.get("age_low"),
            age_high=data.get("age_high"),
            places=data.get("places"),
            on_roll=data.get("on_roll"),
        )


class CommonSettingForm(forms.Form):
    reference = forms.CharField(
        label="URN or UKPRN of the setting",
        help_text="The 6-digit URN from Get Information about Schools, or a college’s 8-digit UKPRN",
        max_length=20,
        error_messages={"required": "Enter the URN or UKPRN of the setting"},
    )
    kind = forms.ChoiceField(
        label="What kind of setting is it?",
        choices=CommonSettingKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what kind of setting it is",
            "invalid_choice": "Select what kind of setting it is",
        },
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=500, widget=forms.Textarea
    )

    def clean_reference(self) -> str:
        text = self.cleaned_data["reference"].strip()
        self.provider = provider_by_reference(reference=text)
        if self.provider is None:
            raise forms.ValidationError(f"No setting has the URN or UKPRN {text}: check the number")
        return text


class UploadForm(forms.Form):
    spreadsheet = forms.FileField(
        label="Upload the edited spreadsheet",
        help_text="The CSV or XLSX file you downloaded from this page, edited. Every row becomes a confirmed entry.",
        error_messages={
            "required": "Select a spreadsheet",
            "empty": "The selected file is empty",
            "invalid": "Select a spreadsheet",
        },
    )

    def clean_spreadsheet(self) -> Any:
        upload = self.cleaned_data["spreadsheet"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The selected file must be a CSV or XLSX file")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5MB")
        return upload
