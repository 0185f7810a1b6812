"""Page previews: PNG images of a document's pages, rendered on the server.

The newest version's PDF/A rendition (or its original, if that is a PDF or an
image) is drawn with pypdfium2 or Pillow at a bounded size; the PNGs are
cached under ``data_dir/cache/previews`` by the source's SHA-256, so a page
is rendered once for everyone who may read it. Permissions (and the audit of
confidential reads) are checked by the records service on every request.
"""

from eakte.preview._service import Size, page_count, render_page

__all__ = ["Size", "page_count", "render_page"]
