from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey

ALGORITHM = "ES256"
CURVE = "P-256"
KEY_FILE_NAME = "signing-keys.json"


class KeyFileError(Exception):
    """The key file exists but cannot be trusted; the message never contains key material."""


class SigningKeys:
    """ES256 signing keys persisted as a private JWK list in ``data_dir/signing-keys.json``.

    Security contract:
    - the key file is created with mode 0600 (its directory, when created here, 0700) and is
      only ever replaced atomically, so a reader never sees a partial file;
    - the newest key signs; older keys remain for verification only, so tokens minted before a
      ``rotate()`` stay valid until they expire;
    - ``verification_key`` and ``public_jwks`` expose public key material only;
    - ``repr``/``str`` show key ids only, never private key material.
    """

    __slots__ = ("_path", "_private", "_public")

    def __init__(self, path: Path, private_keys: Sequence[ECKey]) -> None:
        if not private_keys:
            raise ValueError("at least one signing key is required")
        self._path = path
        self._private: tuple[ECKey, ...] = tuple(private_keys)
        self._public: dict[str, ECKey] = {_kid(key): _public_part(key) for key in self._private}

    @classmethod
    def load_or_create(cls, data_dir: Path) -> SigningKeys:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = data_dir / KEY_FILE_NAME
        if not path.exists():
            # Several processes may start at once on a fresh data directory: publish without
            # overwriting, so everyone ends up signing with the same first key.
            with contextlib.suppress(FileExistsError):
                _write_key_file(path, [_generate_key()], replace=False)
        return cls(path, _read_key_file(path))

    @property
    def signing_key(self) -> ECKey:
        return self._private[0]

    @property
    def signing_kid(self) -> str:
        return _kid(self._private[0])

    @property
    def kids(self) -> tuple[str, ...]:
        """Key ids, newest (the signing key) first."""
        return tuple(_kid(key) for key in self._private)

    def verification_key(self, kid: str) -> ECKey | None:
        return self._public.get(kid)

    def public_jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [dict(self._public[kid].as_dict(private=False)) for kid in self.kids]}

    def rotate(self) -> str:
        """Make a fresh key the signing key and keep the old ones for verification.

        Not safe against a concurrent ``rotate`` in another process: the last writer wins.
        """
        new_key = _generate_key()
        keys = (new_key, *self._private)
        _write_key_file(self._path, keys, replace=True)
        self._private = keys
        self._public = {_kid(key): _public_part(key) for key in keys}
        return _kid(new_key)

    def __repr__(self) -> str:
        return f"SigningKeys(kids={list(self.kids)!r})"

    __str__ = __repr__


def _generate_key() -> ECKey:
    return ECKey.generate_key(
        CURVE, parameters={"alg": ALGORITHM, "use": "sig"}, private=True, auto_kid=True
    )


def _kid(key: ECKey) -> str:
    kid = key.kid
    if kid is None:  # unreachable: keys get their thumbprint kid on creation or import
        raise ValueError("signing key has no kid")
    return kid


def _public_part(key: ECKey) -> ECKey:
    return ECKey.import_key(key.as_dict(private=False))


def _read_key_file(path: Path) -> list[ECKey]:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise KeyFileError(f"cannot read signing keys from {path}") from error
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise KeyFileError(f"{path} holds no signing keys")
    return [_import_private_key(entry, path) for entry in entries]


def _import_private_key(entry: object, path: Path) -> ECKey:
    # Error messages name the file only: a joserfc message could quote the JWK.
    if not isinstance(entry, dict) or entry.get("kty") != "EC" or entry.get("crv") != CURVE:
        raise KeyFileError(f"{path} holds a key that is not an EC {CURVE} key")
    try:
        key = ECKey.import_key(entry)
    except (JoseError, ValueError, TypeError, KeyError):
        raise KeyFileError(f"{path} holds an unreadable key") from None
    if not key.is_private:
        raise KeyFileError(f"{path} holds a public key where a private key is expected")
    if key.alg not in (None, ALGORITHM) or key.get("use") not in (None, "sig"):
        raise KeyFileError(f"{path} holds a key not meant for {ALGORITHM} signatures")
    # The kid is a thumbprint: a mismatch means the file was edited by hand or corrupted.
    if key.kid != key.thumbprint():
        raise KeyFileError(f"{path} holds a key whose kid is not its RFC 7638 thumbprint")
    return key


def _write_key_file(path: Path, keys: Sequence[ECKey], *, replace: bool) -> None:
    document = {"keys": [key.as_dict(private=True) for key in keys]}
    payload = json.dumps(document, indent=2).encode() + b"\n"
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)  # explicit rather than relying on mkstemp
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temp_name, path)
        else:
            os.link(temp_name, path)  # fails with FileExistsError instead of overwriting
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
