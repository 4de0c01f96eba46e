"""The ``dockerflow_*`` commands' tooling: version object, HTTP probe, output conventions."""
