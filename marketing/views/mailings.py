"""mailings pages."""

urlpatterns: list = []
