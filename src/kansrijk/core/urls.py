from django.urls import path

from kansrijk.core import views

app_name = "core"

urlpatterns = [
    path("", views.start, name="start"),
    path("health", views.health, name="health"),
]
