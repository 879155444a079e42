from django.urls import path

from .apis import (
    CartClaimApi,
    CartDetailApi,
    CartItemDetailApi,
    CartItemsApi,
    CartsApi,
    ShopCartApi,
)

urlpatterns = [
    path("", ShopCartApi.as_view(), name="shop-cart"),
    path("items/", CartItemsApi.as_view(), name="cart-items"),
    path("items/<id:item_id>/", CartItemDetailApi.as_view(), name="cart-item-detail"),
    path("claim/", CartClaimApi.as_view(), name="cart-claim"),
    path("carts/", CartsApi.as_view(), name="carts"),
    path("carts/<ref:cart_ref>/", CartDetailApi.as_view(), name="cart-detail"),
]
