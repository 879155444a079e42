"""Endpoints over the API (a staff token holding `outbound.change_endpoint`; listing also
with `view_endpoint`) and the event feed (`outbound.view_event`), for systems that poll."""

from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.permissions import needs_permission
from config.serializers import Input

from .models import Endpoint
from .registry import EVENT_TYPE_NAMES, event_type, event_types
from .selectors import FEED_PAGE, events_after
from .services import endpoint_create, endpoint_delete


class EventTypeField(serializers.ChoiceField):
    """One of the event types the apps declared (read when each serializer is made: apps
    register theirs at ready())."""

    def __init__(self, **kwargs):
        super().__init__(choices=list(EVENT_TYPE_NAMES), **kwargs)


class EndpointOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    events = serializers.ListField(
        child=serializers.CharField(), help_text="the event types it gets; empty: every event"
    )
    is_active = serializers.BooleanField()
    description = serializers.CharField()


class EndpointCreatedOutput(EndpointOutput):
    secret = serializers.CharField(help_text="whsec_…: shown this once; keep it to verify")


def _endpoint(endpoint: Endpoint, *, with_secret: bool = False) -> dict:
    data = {"id": endpoint.pk, "url": endpoint.url, "events": endpoint.events,
            "is_active": endpoint.is_active, "description": endpoint.description}  # fmt: skip
    if with_secret:
        return EndpointCreatedOutput(data | {"secret": endpoint.secret}).data
    return EndpointOutput(data).data


class EndpointListApi(APIView):
    class InputSerializer(Input):
        url = serializers.URLField(max_length=500)
        events = serializers.ListField(child=EventTypeField(), required=False)
        description = serializers.CharField(max_length=200, required=False)

    def get_permissions(self):
        codename = "outbound.change_endpoint" if self.request.method == "POST" else None
        if codename is None:
            view = self.request.user.has_perm("outbound.view_endpoint")
            codename = "outbound.view_endpoint" if view else "outbound.change_endpoint"
        return [IsAuthenticated(), needs_permission(codename)()]

    @extend_schema(operation_id="outbound_endpoints_list", responses=EndpointOutput(many=True))
    def get(self, request):
        return Response([_endpoint(e) for e in Endpoint.objects.prefetch_related("subscriptions")])

    @extend_schema(request=InputSerializer, responses={201: EndpointCreatedOutput})
    def post(self, request):
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        endpoint = endpoint_create(**given.validated_data)
        return Response(_endpoint(endpoint, with_secret=True), status=status.HTTP_201_CREATED)


class EndpointDetailApi(APIView):
    permission_classes = [IsAuthenticated, needs_permission("outbound.change_endpoint")]

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        endpoint_delete(endpoint_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventOutput(serializers.Serializer):
    id = serializers.CharField(help_text="evt_…: receivers dedupe by it")
    type = EventTypeField()
    version = serializers.IntegerField(help_text="of the type's payload (its JSON Schema)")
    created_at = serializers.DateTimeField()

    def get_fields(self):
        # Not a class attribute: a field named `data` would hide the serializer's own .data.
        fields = super().get_fields()
        fields["data"] = serializers.JSONField(
            help_text="the object, as GET /api/events/schemas/ declares it for the type"
        )
        return fields


class EventPageOutput(serializers.Serializer):
    results = EventOutput(many=True)
    next = serializers.CharField(allow_null=True, help_text="the next page, or null")


class EventFeedApi(APIView):
    """The events after one (oldest first, 100 a page), for systems that poll."""

    permission_classes = [IsAuthenticated, needs_permission("outbound.view_event")]

    class InputSerializer(Input):
        after = serializers.CharField(max_length=40, required=False)
        types = serializers.CharField(max_length=1000, required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="an event id: the events after it"),
            OpenApiParameter("types", str, description="comma-separated event types"),
        ],
        responses=EventPageOutput,
    )
    def get(self, request):
        given = self.InputSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        types = [t for t in (given.validated_data.get("types") or "").split(",") if t]
        unknown = sorted(name for name in set(types) if event_type(name) is None)
        if unknown:
            return Response(
                {"error": f"Unknown event types: {', '.join(unknown)}."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        events = events_after(after=given.validated_data.get("after") or "", types=types)
        following = None
        if len(events) == FEED_PAGE:
            query = {"after": events[-1].public_id} | ({"types": ",".join(types)} if types else {})
            following = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response(
            EventPageOutput({"results": [e.envelope for e in events], "next": following}).data
        )


class EventSchemaOutput(serializers.Serializer):
    type = EventTypeField()
    version = serializers.IntegerField()
    description = serializers.CharField()
    schema = serializers.JSONField(help_text="the JSON Schema (2020-12) of its events' data")


class EventSchemaListApi(APIView):
    """Every event type with the JSON Schema its events' `data` is valid against."""

    permission_classes = [IsAuthenticated, needs_permission("outbound.view_event")]

    @extend_schema(responses=EventSchemaOutput(many=True))
    def get(self, request):
        return Response(
            [
                EventSchemaOutput(
                    {"type": kind.name, "version": kind.version,
                     "description": kind.description, "schema": kind.schema}
                ).data
                for kind in event_types()
            ]
        )  # fmt: skip
