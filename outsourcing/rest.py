"""REST framework plumbing shared by every API view: pagination and the error handler."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.serializers import as_serializer_error

from outsourcing.errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class KeelExceptionHandler(ExceptionHandler):
    """Broken business rules answer 400 in the one error shape, naming the field."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DomainError):
            key = exc.field or "non_field_errors"
            return exceptions.ValidationError(
                {key: [exceptions.ErrorDetail(exc.message, exc.code)]}
            )
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(as_serializer_error(exc))
        return super().convert_known_exceptions(exc)
