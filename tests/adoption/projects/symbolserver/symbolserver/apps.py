from django.apps import AppConfig


class SymbolServerAppConfig(AppConfig):
    name = "symbolserver"
