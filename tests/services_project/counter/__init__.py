"""Records every run of :func:`tests.services_project.checks.count_check_run`."""
