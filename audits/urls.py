from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("providers/<int:pk>/self-audit/", views.provider_home, name="provider_home"),
    path("providers/<int:pk>/self-audit/start/", views.start, name="start"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration"),
    path("declarations/<int:pk>/tasks/", views.tasks, name="tasks"),
    path("declarations/<int:pk>/questions/<str:key>/", views.question, name="question"),
    path("declarations/<int:pk>/check/", views.check, name="check"),
    path("declarations/<int:pk>/submitted/", views.confirmation, name="confirmation"),
    path("declarations/<int:pk>/revise/", views.revise, name="revise"),
    path("declarations/<int:pk>/history/", views.history, name="history"),
    path("declarations/<int:pk>/review/", views.review, name="review"),
    path("reviews/", views.review_list, name="reviews"),
    path("areas/<str:code>/rounds/", views.round_list, name="rounds"),
    path("areas/<str:code>/rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
]
