from django.urls import path

from crm.accounts import comment_views, conversation_views, views

app_name = "accounts"
urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.mark_notifications_read, name="notifications_read"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("messages/", conversation_views.conversation_list, name="conversations"),
    path("messages/new/", conversation_views.start_conversation, name="conversation_start"),
    path("messages/badge/", conversation_views.message_badge, name="message_badge"),
    path("messages/<int:pk>/", conversation_views.conversation_detail, name="conversation"),
    path("messages/<int:pk>/new/", conversation_views.new_messages, name="conversation_new_messages"),
    path("messages/<int:pk>/older/", conversation_views.older_messages, name="conversation_older_messages"),
    path(
        "comments/<slug:app_label>/<slug:model_name>/<int:pk>/",
        comment_views.record_comments,
        name="comments",
    ),
    path("mentions/", comment_views.mention_suggestions, name="mention_suggestions"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.set_language, name="set_language"),
    # The reset email links here rather than to django.contrib.auth's own confirm page.
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
