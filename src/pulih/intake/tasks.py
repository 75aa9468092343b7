"""Background work of the intake app, run by `pulih db_worker` (django-tasks, database backend)."""

import os

from django_tasks import task

from pulih.intake import pipeline


def _chunk_rows() -> int:
    # Smaller chunks commit, and so move the progress bar, more often; the browser test uses this.
    return int(os.environ.get("PULIH_INTAKE_CHUNK_ROWS") or pipeline.CHUNK_ROWS)


@task()
def intake_job_run(job_id: int) -> str:
    job = pipeline.job_run(job_id, chunk_rows=_chunk_rows())
    return job.status
