from django.urls import path

from kansrijk.pathways import views

app_name = "pathways"

urlpatterns = [
    path("", views.find, name="find"),
    path("sjabloon.xlsx", views.import_template, name="template"),
    path("beheer/", views.manage, name="manage"),
    path("beheer/nieuw/", views.create, name="create"),
    path("beheer/<int:pk>/", views.manage_pathway, name="manage-pathway"),
    path("beheer/<int:pk>/instellingen/", views.settings_, name="settings"),
    path("beheer/<int:pk>/concept/", views.draft, name="draft"),
    path("beheer/<int:pk>/concept/starten/", views.start_draft, name="start-draft"),
    path("beheer/<int:pk>/concept/weggooien/", views.discard_draft, name="discard-draft"),
    path("beheer/<int:pk>/publiceren/", views.publish, name="publish"),
    path("beheer/<int:pk>/herzien/", views.review, name="review"),
    path("beheer/<int:pk>/vergelijken/", views.compare, name="compare"),
    path("pad/<int:pk>/", views.current, name="current"),
    path("pad/<int:pk>/versie/<int:number>/", views.version, name="version"),
    path(
        "<str:municipality>/<slug:situation>/<slug:phase>/",
        views.resolved,
        name="resolved",
    ),
]
