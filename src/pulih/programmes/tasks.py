"""Background work of the programmes app, run by `pulih db_worker` (django-tasks)."""

from django_tasks import task

from pulih.programmes import annex


@task()
def annex_write_task(decision_id: int) -> str:
    decision = annex.annex_write(decision_id)
    return decision.annex_pdf
