from django.apps import AppConfig


class DockerFlowAppConfig(AppConfig):
    """The ``dockerflow.django`` app (label ``dockerflow``).

    The class name is python-dockerflow's, so projects that list
    ``"dockerflow.django.apps.DockerFlowAppConfig"`` in ``INSTALLED_APPS`` keep
    working. Unlike python-dockerflow, ``ready()`` does not register
    ``DOCKERFLOW_CHECKS`` as Django system checks: the heartbeat runs them itself,
    and ``manage.py check`` (often run at image build time, without a database)
    should not need the backing services.
    """

    name = "dockerflow.django"
    label = "dockerflow"
    verbose_name = "Dockerflow"
