"""URL routes: the REST API, its schema and docs, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("carts.api.urls")),
]
