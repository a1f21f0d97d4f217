"""REST framework plumbing shared by every API view: pagination, the error handler, and a
choice field documented under an enum name of its own."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.serializers import as_serializer_error

from core.errors import DomainError


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


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as an enum of its own name. drf-spectacular names enums after
    their field, and `kpi`, `kind`, `status` and `period_type` already mean other choices in
    other endpoints: without a name of their own, every such enum would be renamed."""

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = build_choice_field(self.target)
        name = self.target.enum_name
        # Named by a string, as drf-spectacular's own enum components are: where one of its
        # fields holds the same choices under the same name, both are the one component.
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            schema={k: v for k, v in schema.items() if k in ("type", "enum", "description")},
            object=name,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref  # type: ignore[no-any-return]
