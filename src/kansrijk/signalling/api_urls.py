from django.urls import path

from kansrijk.signalling import api

urlpatterns = [
    path("assessments", api.AssessmentView.as_view(), name="signalling-assessments"),
    path("rules", api.RuleSetView.as_view(), name="signalling-rules"),
]
