from django.apps import AppConfig


class ErasureConfig(AppConfig):
    name = "myomap.erasure"
    label = "erasure"
    verbose_name = "Erasure on request"
