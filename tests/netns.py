"""Worker "hosts" for the tests: Linux network namespaces joined to this one by veth pairs.

Each ``Host`` is a network namespace (``ip netns add``) with one veth pair: the host end
``10.77.a.b+1/30`` here, the namespace end ``+2`` there, and nothing else (no default route,
no other address): a process inside reaches only what listens on the host end. PostgreSQL and
SeaweedFS listen on 127.0.0.1 only, so a ``Forwarder`` (a small asyncio TCP proxy in a thread
of the test process) listens on each host end and passes connections on to 127.0.0.1; to
PostgreSQL they come from 127.0.0.1, so pg_hba needs no new line. A process started with
``Host.start`` also gets its own UTS namespace and host name, so the leases it takes name a
host of their own, as a worker on another machine would.

Names are unique per test process (pid), so parallel pytest-xdist workers (or other checkouts
running the same tests) do not collide; the /30 blocks are handed out under a lock file.
Missing kernel features (no ``ip``, not root, no CAP_NET_ADMIN) fail the test with a message
saying so: these tests never skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

_LOCK = Path("/tmp/scan-archive-netns.lock")
_NETWORK = ipaddress.ip_network("10.77.0.0/16")
_BLOCKS = _NETWORK.num_addresses // 4


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def require_netns() -> None:
    """Fail (never skip) with a clear message unless network namespaces can be made here."""
    if shutil.which("ip") is None:
        pytest.fail("these tests need the `ip` command (Debian: apt-get install iproute2)")
    if shutil.which("unshare") is None:
        pytest.fail("these tests need the `unshare` command (Debian: util-linux)")
    if os.geteuid() != 0:
        pytest.fail("these tests make network namespaces: run them as root (CAP_NET_ADMIN)")
    probe = f"sa{os.getpid()}probe"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        pytest.fail(
            "these tests need network namespaces (CAP_NET_ADMIN, CONFIG_NET_NS); "
            f"`ip netns add` failed: {made.stderr.strip()}"
        )
    _ip("netns", "del", probe, check=False)


def _used_blocks() -> set[int]:
    """The /30 blocks of 10.77.0.0/16 that an interface of this namespace already has."""
    used: set[int] = set()
    for line in _ip("-4", "-o", "addr", "show").stdout.splitlines():
        for word in line.split():
            if "/" in word and word.startswith("10.77."):
                address = ipaddress.ip_interface(word).ip
                used.add((int(address) - int(_NETWORK.network_address)) // 4)
    return used


class Host:
    """One network namespace with a veth pair; ``address`` is the host end, ``inside`` the
    namespace's end."""

    def __init__(self, index: int) -> None:
        self.name = f"sa{os.getpid()}n{index}"
        self.outer = f"sa{os.getpid()}h{index}"[:15]
        self.inner = f"sa{os.getpid()}i{index}"[:15]
        self.address = ""
        self.inside = ""
        self.processes: list[subprocess.Popen[bytes]] = []

    def create(self) -> None:
        _LOCK.touch(exist_ok=True)
        with _LOCK.open() as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two test processes never take one block
            used = _used_blocks()
            block = next(
                (os.getpid() * 7 + step) % _BLOCKS
                for step in range(_BLOCKS)
                if (os.getpid() * 7 + step) % _BLOCKS not in used
            )
            base = int(_NETWORK.network_address) + 4 * block
            self.address = str(ipaddress.ip_address(base + 1))
            self.inside = str(ipaddress.ip_address(base + 2))
            _ip("netns", "add", self.name)
            _ip("link", "add", self.outer, "type", "veth", "peer", "name", self.inner)
            _ip("link", "set", self.inner, "netns", self.name)
            _ip("addr", "add", f"{self.address}/30", "dev", self.outer)
        _ip("link", "set", self.outer, "up")
        _ip("-n", self.name, "addr", "add", f"{self.inside}/30", "dev", self.inner)
        _ip("-n", self.name, "link", "set", self.inner, "up")
        _ip("-n", self.name, "link", "set", "lo", "up")

    def start(
        self, command: Sequence[str], env: dict[str, str], cwd: Path, log: Path
    ) -> subprocess.Popen[bytes]:
        """Run ``command`` inside the namespace, with a UTS namespace and host name of its
        own, in a new process group (``kill`` reaches all of it)."""
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    "ip",
                    "netns",
                    "exec",
                    self.name,
                    "unshare",
                    "--uts",
                    "sh",
                    "-c",
                    'hostname "$0" && exec "$@"',
                    self.name,
                    *command,
                ],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def kill(self) -> None:
        """SIGKILL every process of the namespace (no shutdown of any kind)."""
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        for pid in _ip("netns", "pids", self.name, check=False).stdout.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)

    def route_to(self, address: str) -> None:
        """Let the namespace reach ``address`` (another host end of this namespace) through
        its own veth: until then it has no route there ("Network is unreachable")."""
        _ip("-n", self.name, "route", "add", f"{address}/32", "via", self.address)

    def unplug(self) -> None:
        """Delete the veth pair: the namespace is gone from the network."""
        _ip("link", "del", self.outer, check=False)

    def delete(self) -> None:
        """Kill what runs inside and remove the namespace and its veth (idempotent)."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=15)
        self.kill()
        self.unplug()
        _ip("netns", "del", self.name, check=False)


@contextlib.contextmanager
def hosts(count: int) -> Iterator[list[Host]]:
    """``count`` new hosts, removed again however the block ends."""
    require_netns()
    made = [Host(index) for index in range(count)]
    try:
        for host in made:
            host.create()
        yield made
    finally:
        for host in made:
            host.delete()


class Forwarder:
    """TCP forwarding from (address, port) pairs to ports of 127.0.0.1, in one thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.servers: list[asyncio.base_events.Server] = []
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def forward(self, address: str, port: int, target: int) -> None:
        """Pass connections to ``address:port`` on to ``127.0.0.1:target``."""

        async def serve() -> asyncio.base_events.Server:
            return await asyncio.start_server(
                lambda reader, writer: self._pipe(reader, writer, target),
                address,
                port,
                family=socket.AF_INET,
            )

        server = asyncio.run_coroutine_threadsafe(serve(), self.loop).result(10)
        self.servers.append(server)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: int
    ) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError, RuntimeError):
                    sink.close()

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))

    def close(self) -> None:
        async def stop() -> None:
            for server in self.servers:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
