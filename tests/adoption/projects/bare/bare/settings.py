"""A project with nothing of its own: what the mixin adds to every project."""

from configurations import Configuration

from dockerflow_settings import DockerflowConfiguration


class Bare(DockerflowConfiguration, Configuration):
    pass
