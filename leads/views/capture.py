"""capture pages."""

urlpatterns: list = []
