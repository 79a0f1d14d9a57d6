"""Routes of the REST API, mounted at ``/api/`` (namespace ``api``).

Adding an endpoint about one document (say, a searchable PDF) is one more ``@action`` on
``DocumentViewSet``: the router names and routes it.
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from archive.api import sharing
from archive.api.auth import TokenView
from archive.api.bulk import BulkDownloadView, BulkEditsView, BulkEditView
from archive.api.docs import ApiDocsView
from archive.api.facets import FacetsView
from archive.api.ocr import OcrJobView, OcrView
from archive.api.organize_views import (
    CorrespondentViewSet,
    CustomFieldViewSet,
    DocumentMetadataView,
    DocumentTypeViewSet,
    NoteViewSet,
    SavedViewViewSet,
    SuggestionViewSet,
    TagViewSet,
)
from archive.api.views import DocumentViewSet, SearchView, SuggestView

app_name = "api"

router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_root_view = False
# No ".json" suffix routes: JSON is the only format, and a suffix would reach views as a keyword.
router.include_format_suffixes = False
router.register("documents", DocumentViewSet, basename="document")
router.register("tags", TagViewSet, basename="tag")
router.register("correspondents", CorrespondentViewSet, basename="correspondent")
router.register("document-types", DocumentTypeViewSet, basename="document-type")
router.register("custom-fields", CustomFieldViewSet, basename="custom-field")
router.register("saved-views", SavedViewViewSet, basename="saved-view")
router.register("notes", NoteViewSet, basename="note")
router.register("suggestions", SuggestionViewSet, basename="suggestion")

urlpatterns = [
    # Before the router: "facets" is not a document id.
    path("documents/facets/", FacetsView.as_view(), name="document-facets"),
    path("documents/download/", BulkDownloadView.as_view(), name="document-download"),
    path("documents/share/", sharing.BulkShareView.as_view(), name="documents-share"),
    path("", include(router.urls)),
    path("bulk-edits/", BulkEditsView.as_view(), name="bulk-edits"),
    path("bulk-edits/<int:pk>/", BulkEditView.as_view(), name="bulk-edit"),
    path(
        "documents/<int:pk>/metadata/",
        DocumentMetadataView.as_view(),
        name="document-metadata",
    ),
    path(
        "documents/<int:pk>/permissions/",
        sharing.DocumentPermissionsView.as_view(),
        name="document-permissions",
    ),
    path(
        "documents/<int:pk>/permissions/<int:permission>/",
        sharing.DocumentPermissionView.as_view(),
        name="document-permission",
    ),
    path(
        "documents/<int:pk>/share-links/",
        sharing.DocumentShareLinksView.as_view(),
        name="document-share-links",
    ),
    path(
        "documents/<int:pk>/share-links/<int:link>/",
        sharing.DocumentShareLinkView.as_view(),
        name="document-share-link",
    ),
    path(
        "documents/<int:pk>/history/",
        sharing.DocumentHistoryView.as_view(),
        name="document-history",
    ),
    path("groups/", sharing.GroupsView.as_view(), name="groups"),
    path(
        "default-permissions/", sharing.DefaultPermissionsView.as_view(), name="default-permissions"
    ),
    path(
        "default-permissions/<int:pk>/",
        sharing.DefaultPermissionView.as_view(),
        name="default-permission",
    ),
    path("search/", SearchView.as_view(), name="search"),
    path("search/suggest/", SuggestView.as_view(), name="search-suggest"),
    path("ocr/", OcrView.as_view(), name="ocr"),
    path("ocr/<uuid:job>/", OcrJobView.as_view(), name="ocr-job"),
    path("token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]
