"""catalog pages."""

urlpatterns: list = []
