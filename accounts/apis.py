from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)

from config.serializers import Input

from .models import User
from .services import password_reset_confirm, password_reset_request, user_register
from .throttles import (
    LoginAccountThrottle,
    LoginIpThrottle,
    PasswordResetEmailThrottle,
    PasswordResetIpThrottle,
)


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone"]


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [LoginIpThrottle]

    class InputSerializer(Input):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True)
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        phone = serializers.CharField(max_length=20, required=False)

    @extend_schema(request=InputSerializer, responses={201: UserOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class EmailTokenObtainSerializer(TokenObtainPairSerializer):
    default_error_messages = {"no_active_account": "Wrong email or password."}

    def validate(self, attrs):
        attrs[self.username_field] = attrs[self.username_field].strip().lower()
        return super().validate(attrs)


LOGIN_THROTTLES = [LoginIpThrottle, LoginAccountThrottle]


class TokenApi(TokenObtainPairView):
    serializer_class = EmailTokenObtainSerializer
    throttle_classes = LOGIN_THROTTLES


class PasswordBoundRefreshSerializer(TokenRefreshSerializer):
    """A refresh token issued under an earlier password mints nothing (401), however the
    password changed (a reset, staff in admin): the access tokens refuse it alike."""

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])
        user = User.objects.filter(pk=refresh.payload.get(api_settings.USER_ID_CLAIM)).first()
        claim = refresh.payload.get(api_settings.REVOKE_TOKEN_CLAIM)
        if user is None or claim != get_md5_hash_password(user.password):
            raise AuthenticationFailed("The password has changed since: log in again.")
        return super().validate(attrs)


class TokenRefreshApi(TokenRefreshView):
    """Answers a new access token and a new refresh token; the old refresh token is dead."""

    serializer_class = PasswordBoundRefreshSerializer
    throttle_classes = [LoginIpThrottle]


class LogoutApi(TokenBlacklistView):
    """Revokes the refresh token posted (body: refresh)."""

    throttle_classes = [LoginIpThrottle]


class MeApi(APIView):
    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)


class PasswordResetAcceptedOutput(serializers.Serializer):
    detail = serializers.CharField()


class PasswordResetApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PasswordResetIpThrottle, PasswordResetEmailThrottle]

    class InputSerializer(Input):
        email = serializers.EmailField()

    @extend_schema(
        request=InputSerializer,
        responses={202: PasswordResetAcceptedOutput},
        description="202 for any email, known or not; a known one gets a one-time link.",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_request(email=data.validated_data["email"])
        answer = {
            "detail": "If this email has an account, a link to set its password is on its way."
        }
        return Response(PasswordResetAcceptedOutput(answer).data, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PasswordResetIpThrottle]

    class InputSerializer(Input):
        uid = serializers.CharField(max_length=64)
        token = serializers.CharField(max_length=128)
        new_password = serializers.CharField(max_length=128, write_only=True)

    @extend_schema(request=InputSerializer, responses={200: PasswordResetAcceptedOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_confirm(**data.validated_data)
        answer = {"detail": "Your password is set. Log in with it."}
        return Response(PasswordResetAcceptedOutput(answer).data)
