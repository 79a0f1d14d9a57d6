"""Starting a real worker (``manage.py qcluster``) inside a namespace ``Host``: its own empty
media folder, talking only to PostgreSQL, SeaweedFS and (with the Redis broker) Redis through
forwarders on the host's address, as a worker on another machine would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.db import connection

from tests.archive.workers import PROJECT, RETRY_SECONDS
from tests.netns import Forwarder, Host
from tests.seaweedfs import ACCESS_KEY, REGION, SECRET_KEY, SeaweedFS

PG_PORT = 5432
S3_PORT = 8333
REDIS_PORT = 6379
#: A lease not renewed for this long goes to another worker (short: the tests wait for it).
LEASE_SECONDS = 5


def connect(
    host: Host, forwarder: Forwarder, seaweedfs: SeaweedFS | None, *, redis_port: int = 0
) -> None:
    """Make PostgreSQL (and SeaweedFS, if given, and Redis at 127.0.0.1:``redis_port``, if
    given) reachable at ``host.address``."""
    db = connection.settings_dict
    forwarder.forward(host.address, PG_PORT, int(db["PORT"] or 5432))
    if seaweedfs is not None:
        forwarder.forward(host.address, S3_PORT, seaweedfs.ports["s3"])
    if redis_port:
        forwarder.forward(host.address, REDIS_PORT, redis_port)


def worker_env(
    host: Host,
    media: Path,
    bucket: str,
    *,
    s3_address: str = "",
    redis_db: int | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of a worker on ``host``: the test database and ``bucket`` reached
    through the host's address (S3 through ``s3_address`` if given), an empty media folder
    of its own, one worker with one OCR thread; the ORM broker, or with ``redis_db`` the
    Redis broker on that database of Redis, reached through the host's address too."""
    import os

    db = connection.settings_dict
    media.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_REPLICA_URL", "REDIS_URL"} and not key.startswith("AWS_")
    }
    return {
        **env,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{host.address}:{PG_PORT}/{db['NAME']}"
        ),
        "MEDIA_ROOT": str(media),
        "TMPDIR": str(media),
        "WORKERS": "1",
        "OCR_THREADS": "1",
        "OCR_ENGINE": "rapidocr",
        "OCR_PAGE_TIMEOUT": "60",
        "OCR_RETRY_SECONDS": str(RETRY_SECONDS),
        "OCR_LEASE_SECONDS": str(LEASE_SECONDS),
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": f"http://{s3_address or host.address}:{S3_PORT}",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_S3_CONNECT_TIMEOUT": "2",
        "AWS_S3_MAX_ATTEMPTS": "2",
        **(
            {"REDIS_URL": f"redis://{host.address}:{REDIS_PORT}/{redis_db}"}
            if redis_db is not None
            else {}
        ),
        **extra,
    }


def start_worker(host: Host, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``manage.py qcluster`` inside ``host``."""
    return host.start([sys.executable, "manage.py", "qcluster"], env, PROJECT, log)


def holders(document_id: int) -> dict[int, str]:
    """Page number → the holder (``host:pid@instance``) of its job's lease, if it has one
    (still held, or run out and not yet cleared)."""
    from archive.models import PageJob

    rows = PageJob.objects.filter(document_id=document_id, lease_until__isnull=False)
    return {
        number: holder
        for number, holder in rows.values_list("number", "holder")
        if holder and number
    }


def log_tail(logs: list[Path]) -> str:
    """The ends of the workers' logs, for a failing test's message."""
    return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}" for log in logs)


def host_of(holder: str) -> str:
    """The host name a lease's holder names."""
    return holder.split(":")[0]
