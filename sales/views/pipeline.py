"""pipeline pages."""

urlpatterns: list = []
