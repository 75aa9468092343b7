"""Background work of the payments app, run by `pulih db_worker` (django-tasks)."""

from django_tasks import task

from pulih.payments import services


@task()
def return_import_task(import_id: int) -> str:
    """Reconcile a large return file uploaded from the web or the API."""
    return services.return_import_run(import_id=import_id).status
