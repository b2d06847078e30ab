"""Pages of the coalition's workspace, under /coalities/."""

from django.urls import path

from kansrijk.coalitions import views

app_name = "coalitions"

urlpatterns = [
    path("", views.coalition_list, name="list"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/partners/", views.members, name="members"),
    path("<int:pk>/partners/<int:member>/", views.member, name="member"),
    path("<int:pk>/afspraken/", views.agreements, name="agreements"),
    path("<int:pk>/afspraken/nieuw/", views.agreement_edit, name="agreement_new"),
    path("<int:pk>/afspraken/<int:agreement>/", views.agreement_edit, name="agreement"),
    path(
        "<int:pk>/afspraken/<int:agreement>/document/",
        views.agreement_document,
        name="agreement_document",
    ),
    path("<int:pk>/acties/", views.actions, name="actions"),
    path("<int:pk>/acties/nieuw/", views.action_new, name="action_new"),
    path("<int:pk>/acties/<int:action>/", views.action_detail, name="action"),
    path("<int:pk>/klantroutes/", views.journeys, name="journeys"),
    path("<int:pk>/klantroutes/<slug:phase>/", views.journey_edit, name="journey"),
    path("<int:pk>/netwerk/", views.referral_network, name="network"),
]
