from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

EXPIRY_CHOICES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you can recognise it later. For example, “School MIS”.",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    expiry = forms.ChoiceField(
        label="When should the token expire?",
        choices=EXPIRY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select when the token should expire"},
    )
    read_only = forms.BooleanField(
        label="Read only: the token can read, but cannot change or submit anything",
        required=False,
    )

    def expires_at(self) -> dt.datetime:
        return timezone.now() + dt.timedelta(days=int(self.cleaned_data["expiry"]))
