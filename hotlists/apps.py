from django.apps import AppConfig


class HotlistsConfig(AppConfig):
    name = "hotlists"
