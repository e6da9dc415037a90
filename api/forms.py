from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import User

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

    password = forms.CharField(
        label="Your password",
        help_text="A token can act as you, so confirm it is you.",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your app shows now",
        max_length=20,
        required=False,
    )

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request
        self.needs_code = account_selectors.has_second_factor(user=user)
        if not self.needs_code:
            del self.fields["code"]

    def _failed(self) -> None:
        # Counts towards the account's sign-in lock-out, as a wrong sign-in would.
        user_login_failed.send(
            sender=__name__, credentials={"username": self.user.email}, request=self.request
        )

    def clean(self) -> dict[str, Any]:
        from axes.handlers.proxy import AxesProxyHandler

        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if AxesProxyHandler.is_locked(self.request, credentials={"username": self.user.email}):
            raise forms.ValidationError(
                "There have been too many wrong attempts: try again in an hour"
            )
        if password is None:
            return cleaned
        if not self.user.check_password(password):
            self._failed()
            self.add_error("password", "Your password is not correct")
            return cleaned
        if self.needs_code:
            code = "".join(str(cleaned.get("code") or "").split())
            if not code:
                self.add_error("code", "Enter the 6-digit code from your authenticator app")
            elif account_services.check_authenticator_code(user=self.user, code=code) is None:
                self._failed()
                self.add_error(
                    "code",
                    "The code is not correct or has expired: enter the code your app shows now",
                )
        return cleaned

    def expires_at(self) -> dt.datetime:
        return timezone.now() + dt.timedelta(days=int(self.cleaned_data["expiry"]))
