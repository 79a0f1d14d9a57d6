"""REST API of sharing: a document's permissions, share links and history; bulk sharing; the
groups; the user's default permissions.

Documents are read through ``archive.selectors`` with ``need=Access.OWNER`` for everything
that changes sharing (404 for a document the user may not see, 403 for one shared with them),
and the history for the owner or staff only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import selectors
from archive.api.bulk import _selection
from archive.errors import UserError
from archive.sharing.access import Access
from archive.sharing.history import document_history
from archive.sharing.links import EXPIRIES, share_link_create, share_link_revoke, share_links
from archive.sharing.models import (
    DefaultPermission,
    DocumentEvent,
    DocumentPermission,
    Level,
    ShareLink,
)
from archive.sharing.services import (
    default_permission_delete,
    default_permission_set,
    default_permissions,
    document_permissions,
    documents_share,
    grantee_find,
    permission_delete,
)

TAGS = ["sharing"]


def _user(request: Request) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # IsAuthenticated
    return user


class GrantRequestSerializer(serializers.Serializer[Any]):
    user = serializers.CharField(required=False, allow_blank=True, help_text="A user name.")
    group = serializers.CharField(required=False, allow_blank=True, help_text="A group name.")
    level = serializers.ChoiceField(choices=Level.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["grantee"] = grantee_find(
                user=attrs.get("user", ""), group=attrs.get("group", "")
            )
        except UserError as error:
            raise ValidationError({"user": [str(error)]}) from error
        return attrs


class BulkShareRequestSerializer(GrantRequestSerializer):
    documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=10_000,
        help_text="Ids of the user's own documents (others' ids are left out).",
    )


class PermissionSerializer(serializers.ModelSerializer[Any]):
    user = serializers.CharField(source="user.get_username", allow_null=True, read_only=True)
    group = serializers.CharField(source="group.name", allow_null=True, read_only=True)

    class Meta:
        model = DocumentPermission
        fields = ["id", "user", "group", "level", "created"]
        read_only_fields = fields


class DefaultPermissionSerializer(PermissionSerializer):
    class Meta:
        model = DefaultPermission
        fields = ["id", "user", "group", "level", "created"]
        read_only_fields = fields


class ShareLinkSerializer(serializers.ModelSerializer[ShareLink]):
    class Meta:
        model = ShareLink
        fields = ["id", "prefix", "kind", "created", "expires_at", "revoked_at", "uses"]
        read_only_fields = fields


class NewShareLinkSerializer(ShareLinkSerializer):
    url = serializers.CharField(help_text="The link. Shown now only: it is not stored.")

    class Meta(ShareLinkSerializer.Meta):
        fields = [*ShareLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields


class ShareLinkRequestSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ShareLink.Kind.choices, default=ShareLink.Kind.ORIGINAL)
    expires = serializers.ChoiceField(choices=list(EXPIRIES), default="1w")


class EventSerializer(serializers.ModelSerializer[DocumentEvent]):
    actor = serializers.CharField(source="actor.get_username", allow_null=True, read_only=True)
    # A plain string in the schema: the bulk edit's "action" enum already has that name.
    action = serializers.CharField(
        read_only=True,
        help_text="uploaded, renamed, shared, unshared, link_created, link_revoked, "
        "corrected, rerun, deleted; or a metadata change (`detail` is `old → new`, tags "
        "`+added −removed`): date, correspondent, document_type, tags, field.",
    )

    class Meta:
        model = DocumentEvent
        fields = ["id", "created", "actor", "action", "detail", "title"]
        read_only_fields = fields


class GroupSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    member = serializers.BooleanField(help_text="Whether the user is in the group.")


class SharedCountSerializer(serializers.Serializer[Any]):
    shared = serializers.IntegerField(help_text="How many documents were shared.")


def _owned(request: Request, pk: int) -> Any:
    return selectors.document_get(user=request.user, pk=pk, need=Access.OWNER)


class DocumentPermissionsView(APIView):
    """Who a document is shared with (its owner's to read and change)."""

    @extend_schema(
        tags=TAGS, summary="A document's permissions", responses=PermissionSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        grants = document_permissions(_owned(request, pk))
        return Response(PermissionSerializer(grants, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Share a document with a user or a group",
        description="Give `user` or `group`, and `level` (`view` or `edit`); sharing again "
        "with the same user or group changes the level. Only the owner may.",
        request=GrantRequestSerializer,
        responses={201: PermissionSerializer(many=True)},
    )
    def post(self, request: Request, pk: int) -> Response:
        document = _owned(request, pk)
        given = GrantRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            documents_share(
                owner=_user(request),
                documents=[document.pk],
                grantee=data["grantee"],
                level=data["level"],
            )
        except UserError as error:
            raise ValidationError({"user": [str(error)]}) from error
        grants = document_permissions(document)
        return Response(PermissionSerializer(grants, many=True).data, status=http.HTTP_201_CREATED)


class DocumentPermissionView(APIView):
    http_method_names = ["delete", "options"]

    @extend_schema(
        tags=TAGS, summary="Stop sharing a document with one user or group", responses={204: None}
    )
    def delete(self, request: Request, pk: int, permission: int) -> Response:
        _owned(request, pk)
        try:
            permission_delete(owner=_user(request), permission_id=permission)
        except UserError as error:
            raise Http404(str(error)) from error
        return Response(status=http.HTTP_204_NO_CONTENT)


class BulkShareView(APIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        tags=TAGS,
        summary="Share many documents at once",
        request=BulkShareRequestSerializer,
        responses=SharedCountSerializer,
    )
    def post(self, request: Request) -> Response:
        data, ids = _selection(request, BulkShareRequestSerializer)
        try:
            count = documents_share(
                owner=_user(request),
                documents=ids,
                grantee=data["grantee"],
                level=data["level"],
            )
        except UserError as error:
            raise ValidationError({"user": [str(error)]}) from error
        return Response({"shared": count})


class DocumentShareLinksView(APIView):
    """A document's share links (its owner's)."""

    @extend_schema(
        tags=TAGS, summary="A document's share links", responses=ShareLinkSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ShareLinkSerializer(share_links(_owned(request, pk)), many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Make a share link",
        description="A secret link anyone can open to download the original file or the "
        "searchable PDF, until it expires or is revoked. The response holds the link; it "
        "cannot be shown again.",
        request=ShareLinkRequestSerializer,
        responses={201: NewShareLinkSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        document = _owned(request, pk)
        given = ShareLinkRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        made = share_link_create(owner=_user(request), document=document, **given.validated_data)
        out = ShareLinkSerializer(made.link).data
        out["url"] = request.build_absolute_uri(reverse("share_link", args=[made.token]))
        response = Response(out, status=http.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class DocumentShareLinkView(APIView):
    http_method_names = ["delete", "options"]

    @extend_schema(tags=TAGS, summary="Revoke a share link", responses={204: None})
    def delete(self, request: Request, pk: int, link: int) -> Response:
        document = _owned(request, pk)
        if not ShareLink.objects.filter(pk=link, document=document).exists():
            raise Http404("No such link.")
        try:
            share_link_revoke(owner=_user(request), pk=link)
        except UserError as error:
            raise Http404(str(error)) from error
        return Response(status=http.HTTP_204_NO_CONTENT)


class DocumentHistoryView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="A document's history",
        description="Who did what to the document, newest first: for its owner and staff.",
        responses=EventSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        document = selectors.document_get(user=request.user, pk=pk)
        if document.owner_id != request.user.pk and not request.user.is_staff:
            raise PermissionDenied("The history is its owner's to read.")
        return Response(EventSerializer(document_history(document.pk)[:500], many=True).data)


class GroupsView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Groups",
        description="Every group (to share with), and whether the user is a member. Staff "
        "manage groups in the admin.",
        responses=GroupSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        mine = set(Group.objects.filter(user=request.user.pk).values_list("pk", flat=True))
        rows = [
            {"id": pk, "name": name, "member": pk in mine}
            for pk, name in Group.objects.order_by("name").values_list("pk", "name")
        ]
        return Response(GroupSerializer(rows, many=True).data)


class DefaultPermissionsView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Your default permissions",
        responses=DefaultPermissionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(
            DefaultPermissionSerializer(default_permissions(_user(request)), many=True).data
        )

    @extend_schema(
        tags=TAGS,
        summary="Share every new document of yours with a user or group",
        request=GrantRequestSerializer,
        responses={201: DefaultPermissionSerializer},
    )
    def post(self, request: Request) -> Response:
        given = GrantRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            row = default_permission_set(
                owner=_user(request), grantee=data["grantee"], level=data["level"]
            )
        except UserError as error:
            raise ValidationError({"user": [str(error)]}) from error
        return Response(DefaultPermissionSerializer(row).data, status=http.HTTP_201_CREATED)


class DefaultPermissionView(APIView):
    http_method_names = ["delete", "options"]

    @extend_schema(tags=TAGS, summary="Remove a default permission", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        try:
            default_permission_delete(owner=_user(request), pk=pk)
        except UserError as error:
            raise Http404(str(error)) from error
        return Response(status=http.HTTP_204_NO_CONTENT)
