"""The referrals API, mounted at /api/v1/ (so /api/v1/referrals; no trailing slashes: docs/api.md).
Ids are UUIDs, parsed in the views so that a malformed id is a 404 problem like any unknown one."""

from django.urls import path

from kansrijk.referrals.api import views

app_name = "referrals-api"

urlpatterns = [
    path("referrals", views.ReferralCollectionView.as_view(), name="list"),
    path("referrals/workflow", views.WorkflowView.as_view(), name="workflow"),
    path("referrals/<str:referral_id>", views.ReferralDetailView.as_view(), name="detail"),
    path(
        "referrals/<str:referral_id>/consents",
        views.ConsentCollectionView.as_view(),
        name="consents",
    ),
    path(
        "referrals/<str:referral_id>/consents/<str:consent_id>/withdraw",
        views.ConsentWithdrawView.as_view(),
        name="consent-withdraw",
    ),
    path(
        "referrals/<str:referral_id>/transitions",
        views.TransitionView.as_view(),
        name="transitions",
    ),
    path("referrals/<str:referral_id>/outcome", views.OutcomeView.as_view(), name="outcome"),
    path(
        "referrals/<str:referral_id>/contact-attempts",
        views.ContactAttemptView.as_view(),
        name="contact-attempts",
    ),
]
