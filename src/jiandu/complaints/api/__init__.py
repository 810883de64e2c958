"""The complaints REST API: `views.register` puts its endpoints on the project router (jiandu.api.urls)."""
