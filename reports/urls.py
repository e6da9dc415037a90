from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("providers/<int:pk>/report.pdf", views.provider_report, name="provider"),
    path("areas/<str:code>/", views.area_report, name="area"),
    path(
        "areas/<str:code>/<int:report_id>/status.json",
        views.area_report_status,
        name="area_status",
    ),
    path("areas/<str:code>/<int:report_id>/report.pdf", views.area_report_file, name="area_file"),
]
