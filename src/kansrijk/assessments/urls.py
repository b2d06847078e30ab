"""Pages of self-assessments, under /zelfevaluatie/."""

from django.urls import path

from kansrijk.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("bedankt/", views.thanks, name="thanks"),
    path("link/<str:token>/", views.link, name="link"),
    path("instrumenten/", views.instruments, name="instruments"),
    path("instrumenten/<slug:code>/<int:number>/", views.instrument_version, name="instrument"),
    path("coalitie/<int:pk>/", views.rounds, name="rounds"),
    path("coalitie/<int:pk>/nieuw/", views.round_new, name="round_new"),
    path("ronde/<int:pk>/", views.round_detail, name="round"),
    path("ronde/<int:pk>/invullen/", views.answer, name="answer"),
    path("ronde/<int:pk>/uitnodigen/", views.invite, name="invite"),
    path("ronde/<int:pk>/uitnodiging/<int:invitation>/intrekken/", views.withdraw, name="withdraw"),
    path("ronde/<int:pk>/sluiten/", views.close, name="close"),
    path("ronde/<int:pk>/resultaten/", views.results, name="results"),
    path("ronde/<int:pk>/resultaten.xlsx", views.export, name="export"),
    path("ronde/<int:pk>/rapport/", views.report, name="report"),
]
