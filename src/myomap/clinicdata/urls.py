from django.urls import path

from myomap.clinicdata import views

app_name = "clinic_data"
urlpatterns = [
    path("", views.page, name="page"),
    path("clinic.fhir.json", views.fhir_clinic, name="fhir_clinic"),
    path("clients/<int:pk>/fhir.json", views.fhir_client, name="fhir_client"),
    path("clinic-csv.zip", views.csv_zip, name="csv_zip"),
    path("retention/", views.retention, name="retention"),
    path("backup/", views.backup_download, name="backup_download"),
    path("import/", views.import_check, name="import_check"),
    path("import/run/", views.import_run, name="import_run"),
    path("import/discard/", views.import_discard, name="import_discard"),
    path("clients/<int:pk>/erase/", views.erase_page, name="erase_page"),
    path("clients/<int:pk>/erase/confirm/", views.erase, name="erase"),
]
