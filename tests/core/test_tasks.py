"""Background jobs really run through each configured backend (Redis/RQ, database)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ENQUEUE = """
import django, sys
django.setup()
from lotse.core.tasks import heartbeat
result = heartbeat.enqueue(sys.argv[1])
print(result.id)
"""

STATUS = """
import django, sys
django.setup()
from lotse.core.tasks import heartbeat
result = heartbeat.get_result(sys.argv[1])
print(result.status, result.return_value if result.status == "SUCCESSFUL" else "")
"""


def _run(code: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        code, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="lotse.settings", LOTSE_DATA_DIR=str(tmp_path), **extra)
    env["PYTHONPATH"] = str(ROOT / "src")
    return env


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0").ping())
    except redis.RedisError:
        return False


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_worker_runs_enqueued_job(tmp_path: Path, backend: str) -> None:
    extra = {"LOTSE_TASKS_BACKEND": backend}
    if backend == "rq":
        if not _redis_available():
            pytest.fail("Redis on 127.0.0.1:6379 is needed for the RQ backend test")
        extra["REDIS_URL"] = "redis://127.0.0.1:6379/13"
    env = _env(tmp_path, **extra)
    manage = [sys.executable, str(ROOT / "manage.py")]
    _run([*manage, "migrate", "-v0"], env)
    token = uuid.uuid4().hex
    job_id = _run([sys.executable, "-c", ENQUEUE, token], env)
    assert _run([sys.executable, "-c", STATUS, job_id], env).startswith("READY")
    _run([*manage, "worker", "--burst"], env)
    status = _run([sys.executable, "-c", STATUS, job_id], env)
    assert status.startswith(f"SUCCESSFUL {token}@")
