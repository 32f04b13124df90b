from django.urls import path

from contacts.mail import views

app_name = "mail"
urlpatterns = [
    path("mailboxes/", views.mailbox_list, name="mailbox_list"),
    path("mailboxes/new/", views.mailbox_create, name="mailbox_create"),
    path("mailboxes/<int:pk>/", views.mailbox_update, name="mailbox_update"),
    path("mailboxes/<int:pk>/delete/", views.mailbox_delete, name="mailbox_delete"),
    path("mailboxes/<int:pk>/fetch/", views.mailbox_fetch, name="mailbox_fetch"),
    path("mailboxes/<int:pk>/check/", views.mailbox_check, name="mailbox_check"),
    path("review/", views.review_list, name="review_list"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/file/", views.message_file, name="message_file"),
    path("messages/<int:pk>/ignore/", views.message_ignore, name="message_ignore"),
    path("customers/<int:customer_pk>/write/", views.email_compose, name="email_compose"),
]
