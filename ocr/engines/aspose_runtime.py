"""Start Aspose.OCR's bundled .NET Core 3.1 runtime on Linux without risking the caller.

``aspose-ocr-python-net`` embeds .NET Core 3.1. On Debian 12 that runtime aborts the whole
Python process (SIGABRT, no exception to catch) when either of these is missing:

- ICU: .NET 3.1 does not know Debian 12's ICU 72, so it needs invariant globalisation
  (``DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1``, read when the runtime starts). Set here by
  default; a value the caller already set is kept.
- OpenSSL 1.1: its crypto shim ``dlopen``s ``libssl.so.1.1`` (or 1.0.x) when the first
  ``AsposeOcr`` object is made, and Debian 12 ships only OpenSSL 3. Measured here:
  ``CLR_OPENSSL_VERSION_OVERRIDE=3`` makes it load ``libssl.so.3`` and then abort with
  "Cannot get required symbol ERR_put_error" (removed in OpenSSL 3);
  ``DOTNET_OPENSSL_VERSION_OVERRIDE`` is ignored by 3.1; setting ``LD_LIBRARY_PATH`` from inside
  Python is too late (the loader reads it once, at process start). What works is loading the
  two 1.1 libraries by full path first (``ctypes``): the runtime's later
  ``dlopen("libssl.so.1.1")`` then finds the already loaded library by its soname.

So the libraries are looked for in the folder named by ``ASPOSE_OPENSSL11_DIR`` (both
``libssl.so.1.1`` and ``libcrypto.so.1.1``), else in ``LD_LIBRARY_PATH`` and the usual library
folders. One way to get them on Debian 12 without installing anything system-wide is Debian 11's
security-maintained ``libssl1.1`` package, unpacked into a folder::

    mkdir -p /tmp/apt11/lists/partial && cd /tmp/apt11
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] \\
      http://deb.debian.org/debian-security bullseye-security main" > sources.list
    O="-o Dir::Etc::sourcelist=$PWD/sources.list -o Dir::Etc::sourceparts=- \\
       -o Dir::State::Lists=$PWD/lists"
    apt-get $O update && apt-get $O download libssl1.1
    dpkg-deb -x libssl1.1_*.deb x && mkdir -p /opt/openssl-1.1
    cp x/usr/lib/x86_64-linux-gnu/lib{ssl,crypto}.so.1.1 /opt/openssl-1.1/
    export ASPOSE_OPENSSL11_DIR=/opt/openssl-1.1

(OpenSSL 1.1.1 is out of upstream support; Debian 11 LTS still patches that package. The
engine turns Aspose's resource downloads off, so the runtime makes no network connections.)

Because a failed start kills the process, ``trial_start`` first starts the runtime in a child
process; only when that succeeds does ``start`` load it into this one. Nothing here imports
Django or the ``aspose`` package at import time.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import platform
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

OPENSSL_DIR_SETTING = "ASPOSE_OPENSSL11_DIR"
LICENSE_SETTING = "ASPOSE_OCR_LICENSE"
RESOURCES_SETTING = "ASPOSE_OCR_RESOURCES"
INVARIANT_SETTING = "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"

LIBSSL = "libssl.so.1.1"
LIBCRYPTO = "libcrypto.so.1.1"

#: Where the loader looks by default on Debian/Ubuntu and most other distributions.
_SYSTEM_LIB_DIRS = (
    "/usr/local/lib",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/lib64",
    "/usr/lib",
    "/lib",
)

#: How long the child process may take to start the runtime (measured: about 1 s).
TRIAL_TIMEOUT_SECONDS = 90.0

OPENSSL_FIX = (
    f"put {LIBSSL} and {LIBCRYPTO} (for example from Debian 11's libssl1.1 package) in a "
    f"folder and set {OPENSSL_DIR_SETTING} to it; ocr/engines/aspose_runtime.py shows how"
)


class RuntimeUnavailable(Exception):
    """The runtime cannot start here; ``str()`` is the reason followed by the fix."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the runtime is started with, read from the environment (see ``from_env``).

    ``openssl`` is the folder holding both OpenSSL 1.1 libraries, or None when they are not
    needed (not Linux) or the loader is left to find them; ``license`` is the licence file
    (None: evaluation mode); ``resources`` is Aspose's model folder (it creates it).
    """

    openssl: Path | None
    license: Path | None
    resources: Path

    @classmethod
    def from_env(cls) -> Settings:
        """Read and check the settings; raises ``RuntimeUnavailable`` naming the fix."""
        license_value = os.environ.get(LICENSE_SETTING, "").strip()
        license_path = Path(license_value).expanduser() if license_value else None
        if license_path is not None and not license_path.is_file():
            raise RuntimeUnavailable(
                f"the Aspose.OCR licence file {LICENSE_SETTING}={license_value} does not exist; "
                f"correct the path, or unset {LICENSE_SETTING} to run in evaluation mode"
            )
        return cls(openssl=find_openssl11(), license=license_path, resources=_resources_dir())


def find_openssl11() -> Path | None:
    """The folder with ``libssl.so.1.1`` and ``libcrypto.so.1.1``, or None off Linux.

    ``ASPOSE_OPENSSL11_DIR`` wins when set (and must hold both files); otherwise
    ``LD_LIBRARY_PATH`` and the usual system folders are searched. Raises
    ``RuntimeUnavailable`` naming the fix when they are not found.
    """
    if platform.system() != "Linux":
        return None  # Windows and macOS builds of .NET use the system's own crypto libraries
    configured = os.environ.get(OPENSSL_DIR_SETTING, "").strip()
    if configured:
        folder = Path(configured).expanduser()
        missing = [name for name in (LIBSSL, LIBCRYPTO) if not (folder / name).is_file()]
        if missing:
            raise RuntimeUnavailable(
                f"{OPENSSL_DIR_SETTING}={configured} has no {' or '.join(missing)}; {OPENSSL_FIX}"
            )
        return folder
    search = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if d]
    for directory in (*search, *_SYSTEM_LIB_DIRS):
        folder = Path(directory)
        if (folder / LIBSSL).is_file() and (folder / LIBCRYPTO).is_file():
            return folder
    raise RuntimeUnavailable(
        f"{LIBSSL} not found (Aspose.OCR's bundled .NET Core 3.1 needs OpenSSL 1.1, and "
        f"Debian 12 ships only OpenSSL 3); {OPENSSL_FIX}"
    )


def _resources_dir() -> Path:
    # Aspose creates its model folder ("aspose_data") in the current directory unless told
    # otherwise; keep it out of whatever directory the caller happens to run in.
    configured = os.environ.get(RESOURCES_SETTING, "").strip()
    if configured:
        return Path(configured).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(cache) / "aspose-ocr"


# Run by ``trial_start`` in a fresh interpreter: only the standard library and ``aspose``,
# so it works whether or not this project is importable there. argv: openssl dir ("" for
# none), licence file ("" for none), resources dir. Prints one JSON line on success.
_TRIAL_CODE = """
import ctypes, json, os, sys
openssl, licence, resources = sys.argv[1:4]
os.environ.setdefault("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
if openssl:
    ctypes.CDLL(os.path.join(openssl, "libcrypto.so.1.1"))
    ctypes.CDLL(os.path.join(openssl, "libssl.so.1.1"))
import aspose.ocr as ocr
ocr.Resources.set_local_path(resources)
ocr.Resources.allow_automatic_downloads(False)
ocr.AsposeOcr()
licensed, problem = False, ""
if licence:
    holder = ocr.License()
    try:
        holder.set_license(licence)
        licensed = bool(holder.is_licensed)
    except Exception as exc:
        problem = str(exc) or type(exc).__name__
print(json.dumps({"licensed": licensed, "license_error": problem}))
"""

_trials: dict[tuple[str, ...], bool | RuntimeUnavailable] = {}
_trials_lock = threading.Lock()


def trial_start(settings: Settings) -> bool:
    """Start the runtime in a child process; True if the licence was accepted there.

    Raises ``RuntimeUnavailable`` with the child's last words when it crashes, hangs or
    fails, and when a licence file was given but rejected. The outcome is remembered per
    process for the same settings, so asking again (``available_engines`` does, often)
    costs nothing.
    """
    key = (
        sys.executable,
        str(settings.openssl or ""),
        str(settings.license or ""),
        str(settings.resources),
        os.environ.get(INVARIANT_SETTING, ""),
    )
    with _trials_lock:
        if key not in _trials:
            _trials[key] = _run_trial(settings)
        outcome = _trials[key]
    if isinstance(outcome, RuntimeUnavailable):
        raise outcome
    return outcome


def _run_trial(settings: Settings) -> bool | RuntimeUnavailable:
    args = [str(settings.openssl or ""), str(settings.license or ""), str(settings.resources)]
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TRIAL_CODE, *args],
            capture_output=True,
            text=True,
            timeout=TRIAL_TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return RuntimeUnavailable(
            f"its .NET runtime did not start within {TRIAL_TIMEOUT_SECONDS:.0f} seconds"
        )
    if done.returncode == 0:
        try:
            report = json.loads(done.stdout.strip().splitlines()[-1])
            licensed, problem = bool(report["licensed"]), str(report["license_error"])
        except (IndexError, ValueError, KeyError, TypeError):
            pass  # fall through: report what it printed
        else:
            if problem or (settings.license is not None and not licensed):
                # A licence that was given but not accepted must not silently become
                # evaluation mode: the person meant to run licensed.
                return RuntimeUnavailable(
                    f"Aspose.OCR rejected the licence file {LICENSE_SETTING}={settings.license}"
                    f" ({problem or 'not accepted'}); use a valid licence file, or unset "
                    f"{LICENSE_SETTING} to run in evaluation mode"
                )
            return licensed
    return RuntimeUnavailable(_explain(done.returncode, done.stdout + done.stderr))


def _explain(returncode: int, output: str) -> str:
    """A reason (and a fix, where one is known) for a failed trial start."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    # .NET's fatal messages come first, before a stack dump; Python's come last.
    first = lines[0] if lines else ""
    last = lines[-1] if lines else ""
    how = f"exit status {returncode}"
    if returncode < 0:
        how = f"killed by {signal.Signals(-returncode).name}"
    if "libssl" in output:
        return f"its .NET runtime stopped ({how}): {first}; {OPENSSL_FIX}"
    if "ICU" in output:
        return (
            f"its .NET runtime stopped ({how}): ICU not found; set {INVARIANT_SETTING}=1 "
            "or leave it unset"
        )
    return f"its .NET runtime failed to start ({how}): {last or first or 'no output'}"


_runtime: ModuleType | None = None
_runtime_lock = threading.Lock()


def start(settings: Settings) -> ModuleType:
    """Start the runtime in this process (once) and return the ``aspose.ocr`` module.

    Call ``trial_start`` first: a start that fails here cannot be caught. Later calls return
    the same module; the runtime cannot be restarted with other settings in one process.
    """
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            os.environ.setdefault(INVARIANT_SETTING, "1")
            if settings.openssl is not None:
                # libcrypto first: libssl.so.1.1 needs it, and finds it by soname once loaded.
                ctypes.CDLL(str(settings.openssl / LIBCRYPTO))
                ctypes.CDLL(str(settings.openssl / LIBSSL))
            # Imported only now: the set-up above must come first.
            runtime = importlib.import_module("aspose.ocr")
            settings.resources.mkdir(parents=True, exist_ok=True)
            runtime.Resources.set_local_path(str(settings.resources))
            # Models Aspose lacks would be fetched from the internet on first use; fail with
            # its "please install" message instead (the engine only offers bundled models).
            runtime.Resources.allow_automatic_downloads(False)
            _runtime = runtime
        return _runtime
