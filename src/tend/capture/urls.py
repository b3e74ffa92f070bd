from django.urls import path

from . import views

app_name = "capture"

urlpatterns = [
    path("", views.to_file, name="to_file"),
    path("messages/<int:pk>/", views.message_detail, name="message"),
    path("messages/<int:pk>/file/", views.message_file, name="message_file"),
    path("messages/<int:pk>/exclude/", views.message_exclude, name="message_exclude"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("upload/", views.mail_upload, name="mail_upload"),
    path("upload/<int:pk>/", views.mail_upload_status, name="mail_upload_status"),
    path("upload/<int:pk>/retry/", views.mail_upload_retry, name="mail_upload_retry"),
    path("customers/<int:pk>/whatsapp/", views.chat_upload, name="chat_upload"),
    path("whatsapp/<int:pk>/", views.chat_preview, name="chat_preview"),
    path("suggestions/<int:pk>/", views.suggestion_decide, name="suggestion_decide"),
    path("mailboxes/", views.mailboxes, name="mailboxes"),
    path("mailboxes/<int:pk>/purge/", views.mailbox_purge, name="mailbox_purge"),
]
