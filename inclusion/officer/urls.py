from django.urls import path

from inclusion.officer import views

app_name = "inclusion_plans"

urlpatterns = [
    path("<str:code>/inclusion-plans/", views.plan_list, name="list"),
    path("<str:code>/inclusion-plans/<int:pk>/", views.plan_detail, name="plan"),
    path("<str:code>/inclusion-plans/<int:pk>/history/", views.plan_history, name="history"),
    path(
        "<str:code>/inclusion-plans/<int:pk>/download.<str:fmt>",
        views.plan_download,
        name="download",
    ),
    path("<str:code>/inclusion-plans/<int:pk>/details/", views.plan_details, name="details"),
    path("<str:code>/inclusion-plans/<int:pk>/upload/", views.plan_upload, name="upload"),
    path("<str:code>/inclusion-plans/<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<str:code>/inclusion-plans/<int:pk>/places/add/", views.place_add, name="place_add"),
    path(
        "<str:code>/inclusion-plans/<int:pk>/places/<int:place_pk>/",
        views.place_change,
        name="place_change",
    ),
    path(
        "<str:code>/inclusion-plans/<int:pk>/places/<int:place_pk>/confirm/",
        views.place_confirm,
        name="place_confirm",
    ),
    path(
        "<str:code>/inclusion-plans/<int:pk>/places/<int:place_pk>/remove/",
        views.place_remove,
        name="place_remove",
    ),
    path(
        "<str:code>/inclusion-plans/<int:pk>/settings/add/", views.setting_add, name="setting_add"
    ),
    path(
        "<str:code>/inclusion-plans/<int:pk>/settings/<int:setting_pk>/remove/",
        views.setting_remove,
        name="setting_remove",
    ),
]
