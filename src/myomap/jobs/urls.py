from django.urls import path

from myomap.jobs import views

app_name = "jobs"
urlpatterns = [path("", views.jobs_page, name="page")]
