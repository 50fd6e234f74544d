from django.urls import path

from myomap.program import handout, portal, views

app_name = "portal"
urlpatterns = [
    # the therapist's
    path("portal/clients/<int:pk>/invite/", views.invite, name="invite"),
    path("portal/visits/<int:pk>/program/", views.editor, name="editor"),
    path("portal/clients/<int:pk>/handout.pdf", handout.handout_pdf, name="handout"),
    # the client's
    path("portal/invite/<str:secret>/", views.accept, name="accept"),
    path("portal/sign-in-link/", views.ask_sign_in_link, name="ask_sign_in_link"),
    path("portal/sign-in/", views.use_sign_in_link, name="use_sign_in_link"),
    path("portal/sign-in/<str:secret>/", views.sign_in_with_link, name="sign_in"),
    path("me/", portal.today, name="today"),
    path("me/log", portal.log, name="log"),
    path("me/diary/", portal.diary, name="diary"),
    path("me/notes/", portal.notes, name="notes"),
    path("me/questionnaires/<slug:instrument>/", portal.questionnaire, name="questionnaire"),
    path("me/reminders", portal.reminder, name="reminder"),
    path("me/manifest.webmanifest", portal.manifest, name="manifest"),
    path("me/sw.js", portal.service_worker, name="service_worker"),
]
