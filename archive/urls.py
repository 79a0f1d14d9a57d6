"""URL routes. Media are never served by URL pattern: only through access-checked views."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from archive import views

urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("search/", views.search, name="search"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/status/", views.document_status, name="document_status"),
    path("documents/<int:pk>/original/", views.document_original, name="document_original"),
    path(
        "documents/<int:pk>/searchable.pdf",
        views.document_searchable_pdf,
        name="document_searchable_pdf",
    ),
    path("documents/<int:pk>/rerun/", views.document_rerun_view, name="document_rerun"),
    path("documents/<int:pk>/rename/", views.document_rename_view, name="document_rename"),
    path("documents/<int:pk>/password/", views.document_password_view, name="document_password"),
    path("documents/<int:pk>/delete/", views.document_delete_view, name="document_delete"),
    path("documents/<int:pk>/pages/<int:number>/image/", views.page_image, name="page_image"),
    path(
        "documents/<int:pk>/pages/<int:number>/thumbnail/",
        views.page_thumbnail,
        name="page_thumbnail",
    ),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
