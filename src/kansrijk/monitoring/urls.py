from django.urls import path

from kansrijk.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("importeren/", views.upload, name="upload"),
    path("kaart/<slug:indicator>/", views.map_page, name="map"),
    path("<str:code>/", views.municipality, name="municipality"),
    path("<str:code>/<slug:indicator>/", views.indicator, name="indicator"),
]
