from django.urls import path

from standards import views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list, name="list"),
    path("<slug:slug>/compare/", views.version_diff, name="diff"),
    path("<slug:slug>/<str:version>/", views.version_detail, name="version"),
    path(
        "<slug:slug>/<str:version>/requirements/<str:key>/",
        views.requirement_detail,
        name="requirement",
    ),
]
