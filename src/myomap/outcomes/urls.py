from django.urls import path

from myomap.outcomes import documents, views

app_name = "outcomes"
urlpatterns = [
    path("report.pdf", documents.report_pdf, name="report_pdf"),
    path("responses/<int:response_pk>/", views.response, name="response"),
    path("responses/<int:response_pk>/void/", views.void, name="void"),
    path("responses/<int:response_pk>/correct/", views.correct, name="correct"),
    path("<slug:instrument>/", views.entry, name="entry"),
]
