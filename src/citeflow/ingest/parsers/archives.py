"""Office files are zip archives: they are checked before a parser opens them, so a zip bomb
dressed as a .docx, .xlsx or .pptx fails with a clear message instead of filling the memory."""

import io
import zipfile

#: Most bytes an office file may unpack to.
MAX_UNPACKED_BYTES = 1 << 30
#: Highest ratio of unpacked to packed bytes of one member (office XML packs about 10:1).
MAX_RATIO = 200
#: Members smaller than this are not checked for their ratio (tiny files pack very well).
RATIO_FLOOR = 1 << 20


class ArchiveError(ValueError):
    """The file is not a readable zip archive, or unpacks to far too much."""


def checked_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    """The archive, once its declared sizes are within bounds; `kind` names the format in errors."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"The file is not a valid {kind} file (not a zip archive): {exc}") from exc
    total = 0
    for member in archive.infolist():
        total += member.file_size
        packed = max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and member.file_size / packed > MAX_RATIO:
            raise ArchiveError(
                f"The {kind} file looks like a zip bomb: {member.filename} unpacks "
                f"{member.file_size // packed}-fold."
            )
    if total > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES >> 20
        raise ArchiveError(
            f"The {kind} file unpacks to {total >> 20} MiB, more than the {limit} MiB allowed."
        )
    return archive
