from django.urls import path, re_path

from inclusion.public import views

app_name = "find_a_setting"

urlpatterns = [
    path("", views.search, name="search"),
    path("settings/<int:pk>/", views.setting, name="setting"),
    re_path(r"^(?P<code>[0-9]{3})/$", views.search, name="area"),
]
