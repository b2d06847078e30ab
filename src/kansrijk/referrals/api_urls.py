"""The referrals API, mounted at /api/v1/ (so /api/v1/referrals; no trailing slashes: docs/api.md).
Ids are UUIDs, parsed in the views so that a malformed id is a 404 problem like any unknown one."""

from django.urls import path

from kansrijk.referrals import api

app_name = "referrals-api"

urlpatterns = [
    path("referrals", api.ReferralCollectionView.as_view(), name="list"),
    path("referrals/workflow", api.WorkflowView.as_view(), name="workflow"),
    path("referrals/<str:referral_id>", api.ReferralDetailView.as_view(), name="detail"),
    path(
        "referrals/<str:referral_id>/consents", api.ConsentCollectionView.as_view(), name="consents"
    ),
    path(
        "referrals/<str:referral_id>/consents/<str:consent_id>/withdraw",
        api.ConsentWithdrawView.as_view(),
        name="consent-withdraw",
    ),
    path(
        "referrals/<str:referral_id>/transitions", api.TransitionView.as_view(), name="transitions"
    ),
    path("referrals/<str:referral_id>/outcome", api.OutcomeView.as_view(), name="outcome"),
    path(
        "referrals/<str:referral_id>/contact-attempts",
        api.ContactAttemptView.as_view(),
        name="contact-attempts",
    ),
]
