"""What ``manage.py serve`` tells a person when it starts: whether its port is free, and the
welcome box (where the app is, how to log in, how to change the password, how to stop it)."""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def port_in_use(host: str, port: int) -> bool:
    """Whether another program already listens on ``host:port``.

    Binds a socket the way the web server will (``SO_REUSEADDR``, so a port left in TIME_WAIT
    by an earlier run counts as free) and lets it go at once. An address the host does not have
    is not "in use": the web server reports that itself.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def wait_until_listening(
    host: str, port: int, *, alive: Callable[[], bool], timeout: float = 60
) -> bool:
    """Wait until something accepts connections at ``host:port``; False when ``alive()`` turns
    false (the web server died) or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def port_in_use_message(host: str, port: int) -> str:
    """The plain words for a busy port, with the command that picks another."""
    return (
        f"Port {port} on {host} is already in use: another program (perhaps Scan Archive "
        f"started earlier) is listening there. Stop it, or pick another port: "
        f"scripts/run --port {port + 1}"
    )


@dataclass(frozen=True)
class AdminLogin:
    """The admin account to show: its name, and the password when it was just made."""

    username: str
    password: str = ""


def saved_admin(password_file: Path) -> AdminLogin | None:
    """The admin account ``serve`` made on an earlier start, from its password file (the
    password itself is left in the file)."""
    try:
        text = password_file.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "username" and value.strip():
            return AdminLogin(value.strip())
    return None


def shown_path(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` (the project folder, where the user runs commands) when it
    lies inside it, else absolute."""
    absolute = Path(os.path.abspath(path))  # not resolved: .venv/bin/python is a symlink
    for inside, folder in ((absolute, base), (absolute.resolve(), base.resolve())):
        if inside.is_relative_to(folder):
            return str(inside.relative_to(folder))
    return str(absolute)


def manage_command(base: Path) -> str:
    """How to run ``manage.py`` with this Python (the project's ``.venv``, not the system's,
    which lacks Django), as typed from the project folder."""
    return f"{shown_path(Path(sys.executable), base)} manage.py"


def welcome_box(
    *, url: str, admin: AdminLogin | None, password_file: str, manage: str, port: int
) -> str:
    """The start-up message: one framed block a person can find among the log lines."""
    lines = [f"Scan Archive is running at {url}", ""]
    if admin is not None:
        lines.append(f"Log in as:        {admin.username}")
        if admin.password:
            lines.append(f"Password:         {admin.password}")
            lines.append(f"Password kept in: {password_file}")
        else:
            lines.append(f"Password:         in {password_file}")
        lines.append(f"Change it:        {manage} changepassword {admin.username}")
        lines.append("")
    lines.append(f"Ctrl-C stops it. Another port: scripts/run --port {port + 1}")
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])
