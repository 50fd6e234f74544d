from django.urls import path

from myomap.clinicdata import own

app_name = "own_data"
urlpatterns = [
    path("", own.page, name="page"),
    path("fhir.json", own.fhir, name="fhir"),
]
