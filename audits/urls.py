from django.urls import path

from audits.views import answering, declarations, home, reviews, rounds

app_name = "audits"

# The self-audit start page, providers/<pk>/self-audit/, is composed with the latest result by
# scoring.views.self_audit and routed in core.urls under this namespace, as "provider_home".
urlpatterns = [
    path("providers/<int:pk>/self-audit/start/", home.start, name="start"),
    path("declarations/<int:pk>/", declarations.declaration_detail, name="declaration"),
    path("declarations/<int:pk>/tasks/", answering.tasks, name="tasks"),
    path("declarations/<int:pk>/questions/<str:key>/", answering.question, name="question"),
    path("declarations/<int:pk>/check/", answering.check, name="check"),
    path("declarations/<int:pk>/submitted/", answering.confirmation, name="confirmation"),
    path("declarations/<int:pk>/revise/", declarations.revise, name="revise"),
    path("declarations/<int:pk>/history/", declarations.history, name="history"),
    path("declarations/<int:pk>/review/", reviews.review, name="review"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("areas/<str:code>/rounds/", rounds.round_list, name="rounds"),
    path("areas/<str:code>/rounds/new/", rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
]
