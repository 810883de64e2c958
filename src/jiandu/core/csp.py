"""Content-Security-Policy on every response: the browser runs only what this server serves.

The pages use no inline script or style and nothing from another origin, so the policy is
'self' throughout. The API's documentation pages (Swagger UI and ReDoc, served locally from the
sidecar package) need a little more: both set inline style attributes and show data: images, and
ReDoc starts its search worker from a blob: URL. Their scripts still come only from this server
(Swagger UI's start-up script is served as a file by SpectacularSwaggerSplitView, not inline).

The policies are settings (`JIANDU_CSP`, `JIANDU_CSP_API_DOCS`) so that a deployment can add a
report-uri or tighten them without a code change.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_VIEWS = {"api:docs", "api:redoc"}


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header unless a view has set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            if match is not None and match.view_name in DOCS_VIEWS:
                policy = getattr(settings, "JIANDU_CSP_API_DOCS", DOCS_POLICY)
            else:
                policy = getattr(settings, "JIANDU_CSP", DEFAULT_POLICY)
            response["Content-Security-Policy"] = policy
        return response
