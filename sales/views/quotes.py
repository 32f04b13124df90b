"""quotes pages."""

urlpatterns: list = []
