"""Background work of the programmes app, run by `pulih db_worker` (django-tasks)."""

from django_tasks import task

from pulih.programmes import annex


@task()
def annex_write_task(decision_id: int) -> str:
    decision = annex.annex_write(decision_id)
    return decision.annex_pdf


@task()
def eligibility_run_task(round_id: int, actor_id: int) -> dict[str, object]:
    """Eligibility over a whole (large) round, started from the round page.

    A refusal (ProgrammeError) is an answer, not a crash: it comes back as `error` with its
    Indonesian message, so the page can show it; anything else fails the task.
    """
    from pulih.accounts.models import User
    from pulih.programmes import services
    from pulih.programmes.error_codes import ProgrammeError
    from pulih.programmes.models import Round

    actor = User.objects.get(pk=actor_id)
    round_obj = Round.objects.select_related("programme__current_version").get(pk=round_id)
    try:
        run = services.eligibility_run(actor=actor, round_obj=round_obj)
    except ProgrammeError as exc:
        return {"round": round_id, "error": exc.message}
    return {"round": round_id, "run": run.pk}
