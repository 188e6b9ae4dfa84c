"""Zip archives for the office-format tests."""

import io
import zipfile


def zip_bomb(member: str) -> bytes:
    """A small zip whose one member, named like an office file's part, unpacks to 64 MiB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, b"\0" * (64 << 20))
    return out.getvalue()
