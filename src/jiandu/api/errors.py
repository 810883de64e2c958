"""The API's one error format.

Every error is `{"error": {"code": …, "message": …, "fields": {field: [messages]}}}`, with the
message in Chinese; services' errors (`ServiceError`) map onto it with the field they name.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
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


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """An /api/ path that names no endpoint (or an id that is not a number), in the error format."""
    body = {"error": {"code": "not_found", "message": "没有这个接口或对象。", "fields": {}}}
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})


ERROR_RESPONSES = {
    "400": "请求有误（error.fields 指明字段）",
    "401": "未登录或令牌无效",
    "403": "无权进行此操作",
    "404": "不存在或不在查看范围内",
}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents 400/401/403/404 in the error format.

    Any operation can answer them (bad parameters, no or a wrong token, a role or scope that
    does not allow it, an id not found); operations that describe one more precisely keep theirs.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "ApiError",
        {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "fields"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string", "description": "中文说明"},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                            "description": "出错的字段及其说明",
                        },
                    },
                }
            },
        },
    )
    reference = {"$ref": "#/components/schemas/ApiError"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result
