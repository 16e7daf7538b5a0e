"""The console's third-party files (Apache ECharts), fetched at install time — never from a
CDN, never committed.

``vendor.lock.json`` (beside the console's own files) pins each package: its npm tarball's
URL and sha512 integrity (what ``npm view <name>@<version> dist.integrity`` prints), and the
sha256 of each file taken from it. ``liaison console assets`` (run by ``python3 dev.py``)
downloads the tarball, checks its integrity, takes out only the listed files and checks
each of them, into the assets directory: ``LIAISON_CONSOLE_ASSETS_DIR``, else
``<environment prefix>/share/liaison-console`` (``.venv/share/liaison-console`` for
``dev.py``). The server reads them from there at start and checks them again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Final

ASSETS_DIR_VARIABLE: Final = "LIAISON_CONSOLE_ASSETS_DIR"
MAX_TARBALL_BYTES: Final = 64 * 1024 * 1024
FETCH_COMMAND: Final = "liaison console assets"  # or: python3 dev.py serve, which runs it


class AssetError(Exception):
    """A download that failed or does not match the lock; nothing was written."""


@dataclass(frozen=True)
class LockedFile:
    member: str  # path inside the tarball, e.g. package/dist/echarts.min.js
    sha256: str  # hex

    @property
    def name(self) -> str:
        """Where it is kept and served below the package's directory: ``dist/echarts.min.js``."""
        return self.member.removeprefix("package/")


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str
    license: str
    url: str
    integrity: str  # sha512-<base64>
    files: tuple[LockedFile, ...]

    @property
    def directory(self) -> str:
        return f"{self.name}-{self.version}"


def locked_packages() -> tuple[LockedPackage, ...]:
    text = (resources.files("liaison.api") / "console" / "vendor.lock.json").read_text("utf-8")
    return tuple(
        LockedPackage(
            name=entry["name"],
            version=entry["version"],
            license=entry["license"],
            url=entry["url"],
            integrity=entry["integrity"],
            files=tuple(
                LockedFile(member, digest.removeprefix("sha256:"))
                for member, digest in entry["files"].items()
            ),
        )
        for entry in json.loads(text)["packages"]
    )


def assets_dir() -> Path:
    configured = os.environ.get(ASSETS_DIR_VARIABLE)
    if configured:
        return Path(configured)
    return Path(sys.prefix) / "share" / "liaison-console"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_locked(directory: Path) -> tuple[dict[tuple[str, str, str], bytes], list[str]]:
    """Every locked file found intact, keyed by (package, version, name), and a line for
    each one missing or altered."""
    found: dict[tuple[str, str, str], bytes] = {}
    problems: list[str] = []
    for package in locked_packages():
        for locked in package.files:
            path = directory / package.directory / locked.name
            try:
                data = path.read_bytes()
            except OSError:
                problems.append(f"{path} is missing")
                continue
            if _sha256(data) != locked.sha256:
                problems.append(f"{path} does not match its sha256 in the lock")
                continue
            found[(package.name, package.version, locked.name)] = data
    return found, problems


Opener = Callable[[str], IO[bytes]]


def _download(url: str) -> IO[bytes]:
    if not url.startswith("https://"):
        raise AssetError(f"{url}: only https downloads are allowed")
    request = urllib.request.Request(url, headers={"User-Agent": "liaison-console-assets"})  # noqa: S310 - https only, checked above
    response: IO[bytes] = urllib.request.urlopen(request, timeout=60)  # noqa: S310
    return response


def fetch_assets(directory: Path, *, opener: Opener = _download) -> list[str]:
    """Downloads what is missing or altered; returns the paths written (none when every
    file is already in place). Raises AssetError, writing nothing of that package, when a
    download fails or does not match the lock."""
    written: list[str] = []
    _, problems = read_locked(directory)
    if not problems:
        return written
    for package in locked_packages():
        tarball = _fetch_tarball(package, opener)
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            contents = {}
            for locked in package.files:
                try:
                    member: tarfile.TarInfo | None = archive.getmember(locked.member)
                except KeyError:
                    member = None
                if member is None or not member.isfile():
                    raise AssetError(f"{package.url} has no file {locked.member}")
                extracted = archive.extractfile(member)
                assert extracted is not None  # a regular file
                data = extracted.read()
                if _sha256(data) != locked.sha256:
                    raise AssetError(f"{locked.member} in {package.url} does not match the lock")
                contents[locked.name] = data
        for name, data in contents.items():
            target = directory / package.directory / name
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(data)
            partial.replace(target)
            written.append(str(target))
    return written


def _fetch_tarball(package: LockedPackage, opener: Opener) -> bytes:
    algorithm, _, expected = package.integrity.partition("-")
    if algorithm != "sha512":
        raise AssetError(f"{package.name}: the lock's integrity must be sha512")
    try:
        with opener(package.url) as response:
            data = response.read(MAX_TARBALL_BYTES + 1)
    except OSError as exc:
        raise AssetError(f"cannot download {package.url}: {exc}") from None
    if len(data) > MAX_TARBALL_BYTES:
        raise AssetError(f"{package.url} is larger than {MAX_TARBALL_BYTES} bytes")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if actual != expected:
        raise AssetError(
            f"{package.url} does not match its integrity in the lock (sha512-{actual[:16]}…)"
        )
    return data
