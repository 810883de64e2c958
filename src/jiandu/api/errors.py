"""The API's one error format.

Every error is `{"error": {"code": …, "message": …, "fields": {field: [messages]}}}`, with the
message in Chinese; services' errors (`ServiceError`) map onto it with the field they name.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from jiandu.core.errors import NotAllowed, ServiceError


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    return {}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ServiceError):
        code = status.HTTP_403_FORBIDDEN if isinstance(exc, NotAllowed) else status.HTTP_400_BAD_REQUEST
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response({"error": {"code": exc.code, "message": exc.message, "fields": fields}}, status=code)
    if isinstance(exc, DjangoValidationError):
        fields = _fields(exc.message_dict) if hasattr(exc, "error_dict") else {}
        message = "；".join(exc.messages)
        return Response(
            {"error": {"code": "invalid", "message": message, "fields": fields}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(response.data)
        message = "提交的数据有误：" + "、".join(fields) if fields else "提交的数据有误"
        code = "invalid"
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        message = str(detail)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        fields = {}
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response
