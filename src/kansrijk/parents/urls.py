from django.urls import path

from kansrijk.parents import views

app_name = "parents"

urlpatterns = [
    path("", views.index, name="index"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("<str:lang>/", views.start, name="start"),
    path("<str:lang>/kosten/", views.costs, name="costs"),
    path("<str:lang>/hulp-in-de-buurt/", views.help_nearby, name="help_nearby"),
    path("<str:lang>/huisbezoek-aanvragen/", views.self_referral, name="self_referral"),
    path("<str:lang>/netwerkkaart/", views.network_map, name="network_map"),
    path("<str:lang>/netwerkkaart/leeg/", views.network_map_blank, name="network_map_blank"),
    path("<str:lang>/<slug:slug>/", views.page, name="page"),
]
