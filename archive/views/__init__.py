"""Web UI views, one module per area: thin functions that parse the request, call a selector or
service, and render.

Every document-specific view gets its document through ``archive.selectors``, which answers
404 for anything that is not the user's own. Media are served only by ``media``'s views.
"""

from archive.views.bulk import bulk_download, bulk_edit, bulk_edit_progress
from archive.views.dashboard import dashboard, saved_view_edit, saved_view_remove, saved_view_save
from archive.views.document import (
    document_delete_view,
    document_detail,
    document_password_view,
    document_rename_view,
    document_rerun_view,
    document_status,
)
from archive.views.library import library, start, upload
from archive.views.media import (
    document_ocr_download,
    document_original,
    document_searchable_pdf,
    favicon,
    page_image,
    page_ocr_download,
    page_thumbnail,
)
from archive.views.organize import (
    document_field_set,
    document_metadata_set,
    document_note_add,
    document_note_delete,
    document_suggestion_confirm,
    document_suggestion_reject,
    document_suggestions_confirm_all,
    document_tag_add,
    document_tag_remove,
)
from archive.views.preferences import language_choose, user_settings
from archive.views.search import search, search_suggest
from archive.views.sharing import (
    default_permission_remove,
    document_share,
    document_unshare,
    documents_share_bulk,
    share_link_file,
    share_link_make,
    share_link_page,
    share_link_remove,
    sharing_settings,
)

__all__ = [
    "bulk_download",
    "bulk_edit",
    "bulk_edit_progress",
    "dashboard",
    "default_permission_remove",
    "document_delete_view",
    "document_detail",
    "document_field_set",
    "document_metadata_set",
    "document_note_add",
    "document_note_delete",
    "document_ocr_download",
    "document_original",
    "document_password_view",
    "document_rename_view",
    "document_rerun_view",
    "document_searchable_pdf",
    "document_share",
    "document_status",
    "document_suggestion_confirm",
    "document_suggestion_reject",
    "document_suggestions_confirm_all",
    "document_tag_add",
    "document_tag_remove",
    "document_unshare",
    "documents_share_bulk",
    "favicon",
    "language_choose",
    "library",
    "page_image",
    "page_ocr_download",
    "page_thumbnail",
    "saved_view_edit",
    "saved_view_remove",
    "saved_view_save",
    "search",
    "search_suggest",
    "share_link_file",
    "share_link_make",
    "share_link_page",
    "share_link_remove",
    "sharing_settings",
    "start",
    "upload",
    "user_settings",
]
