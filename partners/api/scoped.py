"""Building blocks every API view uses so that it cannot skip tenant scoping."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from rest_framework import serializers

from core.scoping import scope


def request_viewer(request: Any) -> Any:
    return getattr(request, "viewer", None)


class ScopedQuerysetMixin:
    """`get_queryset()` is the view's `queryset` restricted to the viewer's tenant."""

    queryset: QuerySet[Any]
    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return queryset.none()
        viewer = request_viewer(self.request)
        if viewer is None:
            return queryset.none()
        return scope(queryset, viewer)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object the caller may see; others read as non-existent."""

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        assert queryset is not None, "a scoped field is writable: it needs a queryset"
        viewer = request_viewer(self.context.get("request"))
        if viewer is None:
            return queryset.none()
        return scope(queryset, viewer)

    def to_internal_value(self, data: Any) -> Any:
        queryset = self.get_queryset()
        name = queryset.model._meta.verbose_name
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(
                f"Expected the id of a {name}, got {type(data).__name__}.", code="incorrect_type"
            )
        try:
            return queryset.get(pk=data)
        except (TypeError, ValueError):
            raise serializers.ValidationError(
                f"Expected the id of a {name}, got {data!r}.", code="incorrect_type"
            ) from None
        except ObjectDoesNotExist:
            raise serializers.ValidationError(
                f"No {name} with id {data} in your account.", code="does_not_exist"
            ) from None


def scoped_choices(model: type[Any]) -> Any:
    """A django-filter `queryset` callable: filter choices limited to the caller's tenant, so
    that a filter on another tenant's id is refused like an unknown one."""

    def choices(request: Any) -> QuerySet[Any]:
        viewer = request_viewer(request)
        return scope(model, viewer) if viewer is not None else model._default_manager.none()

    return choices
