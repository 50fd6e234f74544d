from django.urls import path

from myomap.outcomes import documents, views

app_name = "outcomes"
urlpatterns = [
    path("report.pdf", documents.report_pdf, name="report_pdf"),
    path("<slug:instrument>/", views.entry, name="entry"),
]
