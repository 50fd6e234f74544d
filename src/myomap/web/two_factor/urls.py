from django.urls import path

import myomap.web.two_factor.views as views

app_name = "two_factor"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("start/", views.start, name="start"),
    path("confirm/", views.confirm, name="confirm"),
    path("remove/", views.remove, name="remove"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("verify/", views.verify, name="verify"),
    path("clinic/", views.clinic, name="clinic"),
    path("members/<int:pk>/remove/", views.remove_for_member, name="remove_for_member"),
]
