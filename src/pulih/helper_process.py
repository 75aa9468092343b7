"""Start-up of a spawned helper process; imports nothing that needs Django ready."""

import os
import threading
import time


def _exit_with_parent(parent: int) -> None:
    # A parent killed with SIGKILL cannot stop its helpers; they notice and end themselves.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def django_setup() -> None:
    import django

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pulih.config.settings")
    django.setup()
