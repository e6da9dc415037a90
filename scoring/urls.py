from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("providers/<int:pk>/result/", views.result, name="result"),
    path("providers/<int:pk>/result/status.json", views.result_status, name="result_status"),
    path("providers/<int:pk>/gaps/", views.gaps, name="gaps"),
    path("providers/<int:pk>/gaps/<int:gap_id>/", views.gap, name="gap"),
    path("areas/<str:code>/gaps/", views.area_gaps, name="area_gaps"),
    path("rescores/", views.rescore_list, name="rescores"),
    path("rescores/<int:job_id>/", views.rescore_detail, name="rescore"),
    path("rescores/<int:job_id>/status.json", views.rescore_status, name="rescore_status"),
]
