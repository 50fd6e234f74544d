from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "myomap.program"
    label = "program"
    verbose_name = "Home program and client portal"
