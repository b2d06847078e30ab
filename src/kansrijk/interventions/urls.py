from django.urls import path

from kansrijk.interventions import views

app_name = "interventions"

urlpatterns = [
    path("", views.intervention_list, name="list"),
    path("<slug:slug>/", views.intervention_detail, name="detail"),
]
