from django.urls import path

from kansrijk.parents import editor_views, views

app_name = "parents"

urlpatterns = [
    path("", views.index, name="index"),
    path("sw.js", views.service_worker, name="service_worker"),
    # The editors' pages (signed in); before <lang>/, which "redactie" is not.
    path("redactie/", editor_views.index, name="editor"),
    path(
        "redactie/paginas/<slug:slug>/<str:lang>/",
        editor_views.translation_edit,
        name="editor_translation",
    ),
    path(
        "redactie/paginas/<slug:slug>/lokaal/nieuw/",
        editor_views.local_create,
        name="editor_local_create",
    ),
    path("redactie/kosten/", editor_views.costs, name="editor_costs"),
    path(
        "redactie/kosten/<slug:code>/<int:year>/",
        editor_views.cost_figure,
        name="editor_cost_figure",
    ),
    path(
        "redactie/kosten/teksten/<slug:code>/<str:lang>/",
        editor_views.cost_text,
        name="editor_cost_text",
    ),
    path("redactie/lokaal/<int:pk>/", editor_views.local_edit, name="editor_local"),
    path(
        "redactie/lokaal/<int:pk>/verwijderen/",
        editor_views.local_delete,
        name="editor_local_delete",
    ),
    path("<str:lang>/", views.start, name="start"),
    path("<str:lang>/kosten/", views.costs, name="costs"),
    path("<str:lang>/hulp-in-de-buurt/", views.help_nearby, name="help_nearby"),
    path("<str:lang>/huisbezoek-aanvragen/", views.self_referral, name="self_referral"),
    path("<str:lang>/netwerkkaart/", views.network_map, name="network_map"),
    path("<str:lang>/netwerkkaart/leeg/", views.network_map_blank, name="network_map_blank"),
    path("<str:lang>/<slug:slug>/", views.page, name="page"),
]
