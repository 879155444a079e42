from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.guest_apis import GUESTS_WELCOME, SignedInToRead, guest_contact_take
from config.serializers import Input
from idempotency.apis import idempotent

from .selectors import orders_for_user, products_active
from .serializers import AddressSerializer, OrderOutputSerializer, ProductOutputSerializer
from .services import order_place


class ProductListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="products_list", responses=ProductOutputSerializer(many=True))
    def get(self, request):
        return Response(ProductOutputSerializer(products_active(), many=True).data)


class ProductDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ProductOutputSerializer)
    def get(self, request, pk: int):
        return Response(ProductOutputSerializer(get_object_or_404(products_active(), pk=pk)).data)


class OrderListApi(APIView):
    """GET the user's orders; POST places one order-first (pending_payment, stock reserved),
    a guest's too (X-Cart-Token and a contact)."""

    authentication_classes = GUESTS_WELCOME
    permission_classes = [SignedInToRead]

    class InputSerializer(Input):
        shipping_address = AddressSerializer()
        billing_address = AddressSerializer()

    @extend_schema(operation_id="orders_list", responses=OrderOutputSerializer(many=True))
    def get(self, request):
        return Response(OrderOutputSerializer(orders_for_user(user=request.user), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OrderOutputSerializer})
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guest_contact_take(request)
        order = order_place(user=request.user, **data.validated_data)
        return Response(OrderOutputSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(APIView):
    @extend_schema(responses=OrderOutputSerializer)
    def get(self, request, pk: int):
        order = get_object_or_404(orders_for_user(user=request.user), pk=pk)
        return Response(OrderOutputSerializer(order).data)
