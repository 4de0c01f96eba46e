from django.apps import AppConfig


class DockerflowConfig(AppConfig):
    name = "dockerflow.django"
    label = "dockerflow"
    verbose_name = "Dockerflow"
