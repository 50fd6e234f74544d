from django.urls import path

from myomap.audit import views

app_name = "audit"
urlpatterns = [path("", views.audit_log, name="log")]
