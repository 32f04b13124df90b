"""forecast pages."""

urlpatterns: list = []
