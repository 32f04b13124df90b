from django.urls import path

from contacts.documents import views as documents
from contacts.views import customers, merge, panels, people, timeline, transfer

app_name = "contacts"
urlpatterns = [
    path("", customers.customer_list, name="customer_list"),
    path("new/", customers.customer_create, name="customer_create"),
    path("<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", customers.customer_update, name="customer_update"),
    path("<int:pk>/delete/", customers.customer_delete, name="customer_delete"),
    path("<int:pk>/assign/", customers.customer_assign, name="customer_assign"),
    path("<int:pk>/merge/", merge.customer_merge, name="customer_merge"),
    path("<int:pk>/panels/<slug:panel>/", panels.customer_panel, name="customer_panel"),
    path("<int:pk>/timeline/", timeline.timeline, name="timeline"),
    path("<int:pk>/activities/new/", timeline.activity_create, name="activity_create"),
    path("<int:pk>/tasks/new/", timeline.task_create, name="task_create"),
    path("tasks/<int:pk>/done/", timeline.task_complete, name="task_complete"),
    path("<int:pk>/contacts/new/", people.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", people.contact_update, name="contact_update"),
    path("contacts/<int:pk>/delete/", people.contact_delete, name="contact_delete"),
]

urlpatterns += [
    path("<int:pk>/files/", documents.customer_files, name="customer_files"),
    path("files/<str:record>/<int:pk>/", documents.record_files, name="record_files"),
    path("files/<int:pk>/", documents.document_download, name="document_download"),
    path("files/<int:pk>/delete/", documents.document_delete, name="document_delete"),
]

urlpatterns += [
    path("import/", transfer.customer_import, name="customer_import"),
    path("export/", transfer.customer_export, name="customer_export"),
]
