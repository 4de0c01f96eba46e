from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "enrolments.core"
    label = "core"
