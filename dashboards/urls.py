from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("areas/<str:code>/", views.area, name="area"),
    path("areas/<str:code>/providers/", views.area_providers, name="area_providers"),
    path("areas/<str:code>/heatmap/", views.area_heatmap, name="area_heatmap"),
    path(
        "areas/<str:code>/download/<str:table>.<str:fmt>",
        views.area_download,
        name="area_download",
    ),
    path("national/", views.national, name="national"),
    path("national/compare/", views.compare, name="compare"),
    path(
        "national/download/<str:table>.<str:fmt>",
        views.national_download,
        name="national_download",
    ),
    path("icbs/", views.icb_list, name="icbs"),
    path("icbs/<str:code>/", views.icb, name="icb"),
    path("icbs/<str:code>/areas/<str:area_code>/", views.icb_area, name="icb_area"),
    path(
        "icbs/<str:code>/areas/<str:area_code>/download/providers.<str:fmt>",
        views.icb_area_download,
        name="icb_area_download",
    ),
    path(
        "icbs/<str:code>/download/<str:table>.<str:fmt>",
        views.icb_download,
        name="icb_download",
    ),
]
