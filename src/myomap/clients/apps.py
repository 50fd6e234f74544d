from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "myomap.clients"
    label = "clients"
    verbose_name = "Clients"
