from django.urls import path

from kansrijk.places import api

app_name = "places-api"

urlpatterns = [
    path("postcodes/<str:postcode>", api.PostcodeDetailView.as_view(), name="postcode-detail"),
    path("municipalities", api.MunicipalityListView.as_view(), name="municipality-list"),
]
