"""telemarketing pages."""

urlpatterns: list = []
