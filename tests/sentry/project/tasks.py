from tests.sentry.project.celery_app import app


@app.task(name="tests.sentry.explode")
def explode() -> None:
    raise ValueError("the task failed on purpose")
