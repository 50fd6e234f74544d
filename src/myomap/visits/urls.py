from django.urls import path

from myomap.visits import documents, session_views, views
from myomap.visits.pad_views import pad_link

app_name = "visits"
urlpatterns = [
    path("start/<int:intake_pk>/", views.visit_start, name="start"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/delete/", views.visit_delete, name="delete"),
    path("<int:pk>/palpation/", views.palpation_save, name="palpation"),
    path("<int:pk>/movement/", views.movement_save, name="movement"),
    path("<int:pk>/plan/", views.plan_detail, name="plan"),
    path("<int:pk>/plan/propose/", views.plan_propose, name="plan_propose"),
    path("<int:pk>/plan/save/", views.plan_save, name="plan_save"),
    path("<int:pk>/session/", session_views.session_runner, name="session"),
    path("<int:pk>/session/pad/", pad_link, name="session_pad"),
    path("<int:pk>/note/", views.note_detail, name="note"),
    path("<int:pk>/note.pdf", documents.note_pdf, name="note_pdf"),
    path("<int:pk>/note/draft/", views.note_draft, name="note_draft"),
    path("<int:pk>/note/save/", views.note_save, name="note_save"),
    path("<int:pk>/note/amend/", views.note_amend, name="note_amend"),
]
