"""Multipart uploads: the file parts of a request, spooled to disk by the framework as they arrive."""

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile

from citeflow.services.documents import Upload
from citeflow.services.files import MAX_NAME_BYTES

#: Form fields other than files are small; this bounds how many a request may carry.
MAX_FIELDS = 1000


@dataclass(frozen=True, slots=True)
class Multipart:
    fields: dict[str, str]
    files: list[Upload]
    problem: str | None
    """RAGFlow's first complaint about the file parts, if any (no part, empty or too-long name)."""


async def read_multipart(request: Request, max_files: int) -> Multipart:
    """The form of a multipart request. Bytes of every file go to temp files, never all in memory."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return Multipart({}, [], "No file part!")
    form = await request.form(max_files=max_files, max_fields=MAX_FIELDS)
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    parts = [v for k, v in form.multi_items() if k == "file" and isinstance(v, UploadFile)]
    uploads = [Upload(p.filename or "", p.file, p.size) for p in parts]
    problem = None
    if not parts:
        problem = "No file part!"
    elif any(not u.filename for u in uploads):
        problem = "No file selected!"
    elif any(len(u.filename.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for u in uploads):
        problem = "File name must be 255 bytes or less."
    return Multipart(fields, uploads, problem)
