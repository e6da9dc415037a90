from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import second_factor_views, views

urlpatterns = [
    path(
        "sign-in/",
        views.SignInView.as_view(),
        name="login",
    ),
    path("sign-in/code/", second_factor_views.verify, name="mfa_verify"),
    path("sign-in/recovery-code/", second_factor_views.recovery, name="mfa_recovery"),
    path("two-factor/", second_factor_views.manage, name="mfa_manage"),
    path("two-factor/set-up/", second_factor_views.set_up, name="mfa_setup"),
    path(
        "two-factor/recovery-codes/",
        second_factor_views.recovery_codes,
        name="mfa_recovery_codes",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path("people/<int:pk>/data.json", views.person_export, name="person_export"),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
