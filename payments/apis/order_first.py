from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.serializers import OrderOutputSerializer

from ..services.order_first import order_cancel_by_shopper


class OrderCancelApi(APIView):
    """A shopper cancels an order-first order still waiting for its payment: its provider
    order is closed, its stock given back."""

    @extend_schema(request=None, responses=OrderOutputSerializer)
    def post(self, request, pk: int):
        order = order_cancel_by_shopper(user=request.user, order_id=pk)
        return Response(OrderOutputSerializer(order).data)
