from django.urls import path

from myomap.outcomes import clinic_views as outcomes
from myomap.web import clinic

app_name = "clinic"
urlpatterns = [
    path("", clinic.members, name="members"),
    path("invite/", clinic.invite, name="invite"),
    path("<int:pk>/deactivate/", clinic.deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", clinic.reactivate, name="reactivate"),
    path("<int:pk>/reset/", clinic.reset, name="reset"),
    path("outcomes/schedule/", outcomes.schedule, name="outcome_schedule"),
    path("outcomes/wording/", outcomes.wording, name="outcome_wording"),
    path("outcomes/report/", outcomes.report, name="outcome_report"),
    path("outcomes/report.csv", outcomes.report_csv, name="outcome_report_csv"),
]
