"""Page-number pagination; the page and page_size parameters are validated with the filters."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination

from api.filters import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = "There is no page {page_number}: the last page is smaller."

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return []  # documented with each list's filters (api.filters.filter_parameters)
