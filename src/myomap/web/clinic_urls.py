from django.urls import path

from myomap.web import clinic

app_name = "clinic"
urlpatterns = [
    path("", clinic.members, name="members"),
    path("invite/", clinic.invite, name="invite"),
    path("<int:pk>/deactivate/", clinic.deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", clinic.reactivate, name="reactivate"),
    path("<int:pk>/reset/", clinic.reset, name="reset"),
]
