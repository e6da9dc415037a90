from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
    path("providers/", views.provider_list, name="list"),
    path("providers/<int:pk>/", views.provider_detail, name="detail"),
    path("areas/", views.area_list, name="areas"),
    path("areas/<str:code>/", views.area_detail, name="area"),
    path("areas/<str:code>/import/", views.area_import, name="area_import"),
    path("areas/<str:code>/local-standard/", views.area_local_standard, name="area_local_standard"),
]
