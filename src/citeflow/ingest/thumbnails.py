"""Small PNG previews of uploads, as RAGFlow shows them in its file lists.

A PDF's first page is rendered at 32 dpi, halved while the PNG is 64 KB or more; an image is
shrunk to fit 30 by 30 pixels. Anything else, or a file that does not render, has no thumbnail.
"""

import io
import logging
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

PDF_DPI = 32
MAX_PDF_PNG = 64_000
IMAGE_BOX = (30, 30)
IMAGE_SUFFIXES = frozenset({"jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff"})


def thumbnail_png(kind: str, suffix: str, source: BinaryIO) -> bytes | None:
    """The thumbnail of a stored file (`kind` as in RAGFlow's file types), or None."""
    import pypdfium2
    from PIL import Image, UnidentifiedImageError

    source.seek(0)
    try:
        if kind == "pdf":
            return _pdf_first_page(source)
        if kind == "visual" and suffix.lower() in IMAGE_SUFFIXES:
            with Image.open(source) as image:
                image.thumbnail(IMAGE_BOX)
                return _png(image)
    except (
        pypdfium2.PdfiumError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        ValueError,
    ) as exc:
        log.info("no thumbnail: %s", exc)
    return None


def _pdf_first_page(source: BinaryIO) -> bytes | None:
    import pypdfium2

    document = pypdfium2.PdfDocument(source)
    try:
        if len(document) == 0:
            return None
        page = document[0]
        dpi: float = PDF_DPI
        while True:
            png = _png(page.render(scale=dpi / 72).to_pil())
            if len(png) < MAX_PDF_PNG or dpi < 2:
                return png
            dpi /= 2
    finally:
        document.close()


def _png(image: "Image") -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
