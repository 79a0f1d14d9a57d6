"""URL routes. Media are never served by URL pattern: only through access-checked views."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from archive import views
from archive.loginforms import AdminLoginForm, LoginForm
from archive.views import twofactor as twofactor_views

admin.site.login_form = AdminLoginForm

urlpatterns = [
    # The start page: the one the user chose in /settings/ (by default the dashboard for a
    # user who pinned views to it, else the library); any filter parameter: the library
    # under it, so "/?tag=3" links keep working.
    path("", views.start, name="start"),
    path("library/", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("search/", views.search, name="search"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("settings/", views.user_settings, name="user_settings"),
    path("views/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/", views.saved_view_edit, name="saved_view_edit"),
    path("views/<int:pk>/delete/", views.saved_view_remove, name="saved_view_delete"),
    path("bulk/", views.bulk_edit, name="bulk_edit"),
    path("bulk/download/", views.bulk_download, name="bulk_download"),
    path("bulk/<int:pk>/", views.bulk_edit_progress, name="bulk_edit_progress"),
    path("search/suggest/", views.search_suggest, name="search_suggest"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/status/", views.document_status, name="document_status"),
    path("documents/<int:pk>/original/", views.document_original, name="document_original"),
    path(
        "documents/<int:pk>/searchable.pdf",
        views.document_searchable_pdf,
        name="document_searchable_pdf",
    ),
    path(
        "documents/<int:pk>/ocr/<str:fmt>/", views.document_ocr_download, name="document_ocr_file"
    ),
    path(
        "documents/<int:pk>/pages/<int:number>/ocr/<str:fmt>/",
        views.page_ocr_download,
        name="page_ocr_file",
    ),
    path("documents/<int:pk>/rerun/", views.document_rerun_view, name="document_rerun"),
    path("documents/<int:pk>/rename/", views.document_rename_view, name="document_rename"),
    path("documents/<int:pk>/password/", views.document_password_view, name="document_password"),
    path("documents/<int:pk>/delete/", views.document_delete_view, name="document_delete"),
    # The document's metadata panel (archive.views.organize).
    path("documents/<int:pk>/metadata/", views.document_metadata_set, name="document_metadata"),
    path("documents/<int:pk>/tags/", views.document_tag_add, name="document_tag_add"),
    path(
        "documents/<int:pk>/tags/<int:tag_pk>/remove/",
        views.document_tag_remove,
        name="document_tag_remove",
    ),
    path(
        "documents/<int:pk>/fields/<int:field_pk>/",
        views.document_field_set,
        name="document_field_set",
    ),
    path("documents/<int:pk>/notes/", views.document_note_add, name="document_note_add"),
    path(
        "documents/<int:pk>/notes/<int:note_pk>/delete/",
        views.document_note_delete,
        name="document_note_delete",
    ),
    path(
        "documents/<int:pk>/suggestions/confirm-all/",
        views.document_suggestions_confirm_all,
        name="document_suggestions_confirm_all",
    ),
    path(
        "documents/<int:pk>/suggestions/<int:suggestion_pk>/confirm/",
        views.document_suggestion_confirm,
        name="document_suggestion_confirm",
    ),
    path(
        "documents/<int:pk>/suggestions/<int:suggestion_pk>/reject/",
        views.document_suggestion_reject,
        name="document_suggestion_reject",
    ),
    # Sharing (archive.views.sharing): the owner's grants and links; the public link pages.
    path("documents/<int:pk>/share/", views.document_share, name="document_share"),
    path(
        "documents/<int:pk>/share/<int:permission_pk>/delete/",
        views.document_unshare,
        name="document_unshare",
    ),
    path("documents/<int:pk>/links/", views.share_link_make, name="share_link_create"),
    path(
        "documents/<int:pk>/links/<int:link_pk>/revoke/",
        views.share_link_remove,
        name="share_link_revoke",
    ),
    path("sharing/", views.sharing_settings, name="sharing_settings"),
    path("sharing/share/", views.documents_share_bulk, name="documents_share"),
    path(
        "sharing/defaults/<int:pk>/delete/",
        views.default_permission_remove,
        name="default_permission_delete",
    ),
    path("s/<str:token>/", views.share_link_page, name="share_link"),
    path("s/<str:token>/file/", views.share_link_file, name="share_link_file"),
    path("documents/<int:pk>/pages/<int:number>/image/", views.page_image, name="page_image"),
    path(
        "documents/<int:pk>/pages/<int:number>/thumbnail/",
        views.page_thumbnail,
        name="page_thumbnail",
    ),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(form_class=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", twofactor_views.twofactor_verify, name="twofactor_verify"),
    path("account/two-factor/", twofactor_views.twofactor_setup, name="twofactor_setup"),
    # The UI's language (docs/languages.md): the switcher posts here (a cookie remembers it,
    # and a logged-in user's account); the scripts' few strings come from the catalog of the
    # active language.
    path("i18n/setlang/", views.language_choose, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/", include("archive.api.urls")),
]

# Unmatched /api/ URLs answer JSON like the rest of the API.
handler404 = "archive.api.errors.page_not_found"
handler500 = "archive.views.errors.server_error"
