"""REST API for complaints (filled in by the complaints API work)."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Register the complaint endpoints on the API router."""
