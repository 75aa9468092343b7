"""Background work of the linkage app, run by `pulih db_worker` (django-tasks)."""

from django_tasks import task

from pulih.accounts.models import User
from pulih.linkage import services
from pulih.linkage.models import ScreeningList


@task()
def dedupe_run_task(user_id: int) -> int:
    return services.dedupe_run(actor=User.objects.get(pk=user_id)).pk


@task()
def rescreen_task(user_id: int, list_id: int | None = None) -> list[int]:
    actor = User.objects.get(pk=user_id)
    if list_id is None:
        return [run.pk for run in services.rescreen(actor=actor)]
    screening_list = ScreeningList.objects.get(pk=list_id)
    return [services.screening_run(actor=actor, screening_list=screening_list).pk]
