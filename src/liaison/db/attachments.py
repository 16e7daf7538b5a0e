"""Attachment content: checked against what the sender declared, kept by its SHA-256 in the
database (``attachment_blob``, the default) or in a configured directory, and read back
only for the governed field that shows it (see ``schema.types.referrals``).

Security contract: content is returned only by :meth:`AttachmentStore.read`, given the keys
the permission gate let through for attachments (``stored_in:sha256``); nothing else
serves files. A file written for a transaction that then rolls back stays behind unnamed
by any row (content-addressed, so harmless, and reused if the same file comes again).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.referral_models import AttachmentBlob, AttachmentStorage
from liaison.limits import Limits

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
# A file name, not a path: no separators, no control characters.
_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]{1,200}$")

Problem = tuple[str, str, str]  # field, rule, message


class UnreadableAttachment(Exception):
    """Stored content that is missing or no longer matches its SHA-256."""


@dataclass(frozen=True, slots=True)
class DeclaredFile:
    """An attachment as the sender declares it, its content base64-encoded."""

    name: str
    media_type: str
    size_bytes: int
    sha256: str
    content_base64: str


@dataclass(frozen=True, slots=True)
class CheckedFile:
    name: str
    media_type: str
    size_bytes: int
    sha256: str
    content: bytes


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def check_file(
    declared: DeclaredFile, *, field: str, max_bytes: int
) -> tuple[CheckedFile | None, list[Problem]]:
    """The file, once its name, media type, size and SHA-256 are valid and its content is
    exactly what they declare; otherwise the problems, each naming ``field.<input field>``."""
    problems: list[Problem] = []
    name = declared.name.strip()
    if not _NAME.match(name):
        problems.append(
            (
                f"{field}.name",
                "file_name",
                "a file name of 1-200 characters, without / \\ or control characters",
            )
        )
    media_type = declared.media_type.strip().lower()
    if not _MEDIA_TYPE.match(media_type):
        problems.append(
            (
                f"{field}.mediaType",
                "media_type",
                "a media type such as image/jpeg or application/pdf",
            )
        )
    digest = declared.sha256.strip().lower()
    if not _SHA256.match(digest):
        problems.append((f"{field}.sha256", "sha256", "64 hexadecimal digits"))
    size = declared.size_bytes
    if size < 0:
        problems.append((f"{field}.sizeBytes", "positive", "sizeBytes must not be negative"))
    elif max_bytes and size > max_bytes:
        problems.append(
            (
                f"{field}.sizeBytes",
                "limit",
                f"an attachment may have at most {max_bytes} bytes "
                f"(LIAISON_MAX_ATTACHMENT_BYTES), not {size}",
            )
        )
    if problems:
        return None, problems
    # Never decode more than the declared size can take: base64 is 4 characters per 3 bytes.
    text = declared.content_base64
    if len(text) > 4 * ((size + 2) // 3) + 4:
        return None, [
            (f"{field}.contentBase64", "size", f"the content is longer than {size} bytes")
        ]
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None, [(f"{field}.contentBase64", "base64", "the content is not valid base64")]
    if len(content) != size:
        return None, [
            (f"{field}.sizeBytes", "size", f"the content has {len(content)} bytes, not {size}")
        ]
    if sha256_of(content) != digest:
        return None, [
            (f"{field}.sha256", "sha256", "the content's SHA-256 does not match the declared one")
        ]
    return CheckedFile(name, media_type, size, digest, content), []


@dataclass(frozen=True)
class AttachmentStore:
    """Where new attachments go: the database by default, or ``directory`` (one file per
    content, named by its SHA-256). ``max_bytes`` bounds one attachment (0: unbounded)."""

    directory: Path | None = None
    max_bytes: int = Limits().max_attachment_bytes

    @property
    def storage(self) -> AttachmentStorage:
        return AttachmentStorage.DATABASE if self.directory is None else AttachmentStorage.DIRECTORY

    async def put(self, session: AsyncSession, file: CheckedFile) -> AttachmentStorage:
        """Keeps the content (once per SHA-256); returns where."""
        if self.directory is None:
            # Mutations run one at a time (each holds the audit head from its first
            # statement), so no other transaction can add the same blob in between.
            held = await session.get(AttachmentBlob, file.sha256)
            if held is None:
                session.add(
                    AttachmentBlob(
                        sha256=file.sha256, size_bytes=file.size_bytes, content=file.content
                    )
                )
                await session.flush()
            return AttachmentStorage.DATABASE
        await asyncio.to_thread(_write_atomically, self._path(file.sha256), file.content)
        return AttachmentStorage.DIRECTORY

    async def read(
        self, session: AsyncSession, keys: Sequence[str]
    ) -> list[bytes | UnreadableAttachment]:
        """The content behind each ``stored_in:sha256`` key, checked against its SHA-256
        (or why it cannot be read): those in the database in one statement."""
        parsed = [key.partition(":")[::2] for key in keys]
        in_database = sorted(
            {d for kept, d in parsed if kept == AttachmentStorage.DATABASE and _SHA256.match(d)}
        )
        blobs: dict[str, bytes] = {}
        if in_database:
            rows = await session.execute(
                select(AttachmentBlob.sha256, AttachmentBlob.content).where(
                    AttachmentBlob.sha256.in_(in_database)
                )
            )
            blobs = {digest: bytes(content) for digest, content in rows}
        found: list[bytes | UnreadableAttachment] = []
        for kept, digest in parsed:
            content: bytes | None = None
            if not _SHA256.match(digest):
                found.append(UnreadableAttachment("the attachment's key is malformed"))
                continue
            if kept == AttachmentStorage.DATABASE:
                content = blobs.get(digest)
            elif kept == AttachmentStorage.DIRECTORY and self.directory is not None:
                content = await asyncio.to_thread(_read_or_none, self._path(digest))
            else:
                found.append(
                    UnreadableAttachment(
                        "the attachment is kept in a directory, and none is configured "
                        "(LIAISON_ATTACHMENT_DIR)"
                    )
                )
                continue
            if content is None:
                found.append(UnreadableAttachment("the attachment's content is missing"))
            elif sha256_of(content) != digest:
                found.append(
                    UnreadableAttachment("the attachment's content no longer matches its SHA-256")
                )
            else:
                found.append(content)
        return found

    def _path(self, digest: str) -> Path:
        assert self.directory is not None
        return self.directory / digest[:2] / digest


def _write_atomically(path: Path, content: bytes) -> None:
    """Written to a temporary file beside it, flushed to disk, then renamed into place: a
    reader finds the whole file or none."""
    if path.exists():
        return  # content-addressed: the same bytes are already there
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
