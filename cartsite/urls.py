"""URL routes: the REST API, its schema and docs, the admin.

Errors raised outside DRF (an unknown URL, a bad Host header, a crash) answer
in the API's one error shape too, through the handlers below.
"""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("carts.api.urls")),
]

handler400 = "carts.api.errors.handler400"
handler403 = "carts.api.errors.handler403"
handler404 = "carts.api.errors.handler404"
handler500 = "carts.api.errors.handler500"
