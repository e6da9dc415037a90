"""Not a rule for passwords: Django tells every password validator when a password changes
(on reset, change, or an admin setting it), which is the one place to hear of it. Its help
text, shown with the others where a password is chosen, says what follows."""

from __future__ import annotations

from typing import Any

from accounts.signals import password_changed


class PasswordChangeNotifier:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            password_changed.send(sender=type(user), user=user)

    def get_help_text(self) -> str:
        return "A new password revokes any API tokens you have."
