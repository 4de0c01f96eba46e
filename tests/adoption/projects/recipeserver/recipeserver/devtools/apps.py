from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "recipeserver.devtools"
    label = "recipeserver_devtools"
