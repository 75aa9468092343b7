"""Background work of the intake app, run by `pulih db_worker` (django-tasks, database backend)."""

from django_tasks import task

from pulih.intake import pipeline


@task()
def intake_job_run(job_id: int) -> str:
    job = pipeline.job_run(job_id)
    return job.status
