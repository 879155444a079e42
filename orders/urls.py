from django.urls import path

from .apis import (
    OrderDetailApi,
    OrderListApi,
    ProductDetailApi,
    ProductListApi,
)

urlpatterns = [
    path("products/", ProductListApi.as_view(), name="products"),
    path("products/<id:pk>/", ProductDetailApi.as_view(), name="product-detail"),
    path("orders/", OrderListApi.as_view(), name="orders"),
    path("orders/<id:pk>/", OrderDetailApi.as_view(), name="order-detail"),
]
