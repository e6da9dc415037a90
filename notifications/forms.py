from __future__ import annotations

from django import forms

from notifications.models import Kind

HINTS = {
    Kind.ROUND_OPENED: "Sent to the editors of each provider the round asks to declare.",
    Kind.DEADLINE: "Sent 14 days and 3 days before the deadline.",
    Kind.REVIEWED: "The email links to the review; it does not quote the comments.",
    Kind.GAP_OVERDUE: "Sent to the action’s owner, or to every editor if the owner is not one.",
    Kind.VERSION_PUBLISHED: "With what changed for your type of provider.",
    Kind.DIGEST: "Sent in the morning, for the day before, when something was submitted.",
    Kind.LOCAL_STANDARD_OUTDATED: "With what in your local standard no longer fits the new version.",
}


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Send me an email when",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only the emails listed"},
    )

    def __init__(self, *args: object, available: list[Kind], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kinds"].choices = [(k.value, k.label) for k in available]  # type: ignore[attr-defined]
        self.available = available

    def items(self) -> list[dict[str, object]]:
        """The checkboxes, ticked as submitted (or as stored, on first show)."""
        if self.is_bound:
            chosen = set(self.data.getlist("kinds"))  # type: ignore[attr-defined]
        else:
            chosen = set(self.initial.get("kinds", []))
        return [
            {"value": k.value, "label": k.label, "hint": HINTS[k], "checked": k.value in chosen}
            for k in self.available
        ]
