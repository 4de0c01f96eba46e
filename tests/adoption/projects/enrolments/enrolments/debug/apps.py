from django.apps import AppConfig


class DebugConfig(AppConfig):
    name = "enrolments.debug"
    label = "enrolments_debug"
