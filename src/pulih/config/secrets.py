"""Secrets for a local install: taken from the environment, else generated once into var/."""

import base64
import json
import os
import secrets
from pathlib import Path

SECRET_NAMES = ("PULIH_SECRET_KEY", "PULIH_FIELD_KEY", "PULIH_BLIND_INDEX_KEY")


def generate() -> dict[str, str]:
    return {
        "PULIH_SECRET_KEY": secrets.token_urlsafe(50),
        # 32 random bytes each: AES-256-GCM for fields, HMAC-SHA256 for the blind index.
        "PULIH_FIELD_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "PULIH_BLIND_INDEX_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }


def load_secrets(var_dir: Path) -> dict[str, str]:
    """Environment wins; otherwise var/secrets.json, created with mode 600 on first run."""
    if all(os.environ.get(name) for name in SECRET_NAMES):
        return {name: os.environ[name] for name in SECRET_NAMES}
    path = var_dir / "secrets.json"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        # Write aside, then link into place: two processes starting at once agree on one file.
        tmp = var_dir / f".secrets.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(generate(), fh)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    stored = json.loads(path.read_text())
    return {name: os.environ.get(name) or stored[name] for name in SECRET_NAMES}
