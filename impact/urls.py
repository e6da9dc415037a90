from django.urls import path, re_path

from impact import views

app_name = "impact"

urlpatterns = [
    path("<slug:slug>/<str:version>/", views.preview_page, name="preview"),
    re_path(
        r"^(?P<slug>[-\w]+)/(?P<version>[^/]+)/download\.(?P<fmt>csv|xlsx)$",
        views.preview_download,
        name="download",
    ),
]
