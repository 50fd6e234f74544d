from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "myomap.reference"
    label = "reference"
    verbose_name = "Knowledge browser"
