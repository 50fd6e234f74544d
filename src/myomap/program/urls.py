from django.urls import path

from myomap.program import handout, views

app_name = "portal"
urlpatterns = [
    # the therapist's
    path("portal/clients/<int:pk>/invite/", views.invite, name="invite"),
    path("portal/visits/<int:pk>/program/", views.editor, name="editor"),
    path("portal/clients/<int:pk>/handout.pdf", handout.handout_pdf, name="handout"),
    # the client's
    path("portal/invite/<str:secret>/", views.accept, name="accept"),
    path("me/", views.today, name="today"),
    path("me/log", views.log, name="log"),
    path("me/diary/", views.diary, name="diary"),
    path("me/reminders", views.reminder, name="reminder"),
    path("me/manifest.webmanifest", views.manifest, name="manifest"),
    path("me/sw.js", views.service_worker, name="service_worker"),
]
