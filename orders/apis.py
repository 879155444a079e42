from django.shortcuts import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import orders_for_user, products_active
from .serializers import OrderOutputSerializer, ProductOutputSerializer


class ProductListApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(ProductOutputSerializer(products_active(), many=True).data)


class ProductDetailApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request, pk: int):
        return Response(ProductOutputSerializer(get_object_or_404(products_active(), pk=pk)).data)


class OrderListApi(APIView):
    def get(self, request):
        return Response(OrderOutputSerializer(orders_for_user(user=request.user), many=True).data)


class OrderDetailApi(APIView):
    def get(self, request, pk: int):
        order = get_object_or_404(orders_for_user(user=request.user), pk=pk)
        return Response(OrderOutputSerializer(order).data)
