from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "myomap.appointments"
    label = "appointments"
