"""``archive.startup``: the busy-port check and the welcome box of ``manage.py serve``."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from archive.startup import (
    AdminLogin,
    manage_command,
    port_in_use,
    saved_admin,
    shown_path,
    wait_until_listening,
    welcome_box,
)


def test_a_listening_port_is_in_use_and_a_free_one_is_not() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
        assert wait_until_listening("127.0.0.1", port, alive=lambda: True, timeout=5)
    assert not port_in_use("127.0.0.1", port)
    assert not wait_until_listening("127.0.0.1", port, alive=lambda: False)


def test_first_start_box_shows_the_password_and_where_it_is_kept() -> None:
    box = welcome_box(
        url="http://127.0.0.1:8000/",
        admin=AdminLogin("admin", "s3cret-Pass"),
        password_file="var/admin-password.txt",
        manage=".venv/bin/python manage.py",
        port=8000,
    )
    lines = box.splitlines()
    assert lines[0] == lines[-1]
    assert set(lines[0]) == {"+", "-"}
    assert len({len(line) for line in lines}) == 1  # a closed frame
    text = "\n".join(line.strip("| ") for line in lines)
    assert "Scan Archive is running at http://127.0.0.1:8000/" in text
    assert "Log in as:        admin" in text
    assert "Password:         s3cret-Pass" in text
    assert "Password kept in: var/admin-password.txt" in text
    assert "Change it:        .venv/bin/python manage.py changepassword admin" in text
    assert "scripts/run --port 8001" in text


def test_later_starts_point_at_the_password_file_without_showing_it(tmp_path: Path) -> None:
    saved = tmp_path / "admin-password.txt"
    saved.write_text("username: boss\npassword: hidden-here\n")
    admin = saved_admin(saved)
    assert admin == AdminLogin("boss")
    box = welcome_box(url="http://h:1/", admin=admin, password_file=str(saved), manage="m", port=1)
    assert "hidden-here" not in box
    assert f"in {saved}" in box
    assert "m changepassword boss" in box
    assert saved_admin(tmp_path / "missing.txt") is None


def test_no_known_admin_leaves_the_login_lines_out() -> None:
    box = welcome_box(url="http://h:1/", admin=None, password_file="f", manage="m", port=1)
    assert "Log in" not in box
    assert "changepassword" not in box


def test_paths_inside_the_project_are_shown_relative(tmp_path: Path) -> None:
    assert shown_path(tmp_path / "var" / "x.txt", tmp_path) == "var/x.txt"
    assert shown_path(Path("/elsewhere/x"), tmp_path) == "/elsewhere/x"
    assert manage_command(tmp_path) == f"{sys.executable} manage.py"
