"""A helpdesk whose mailbox checks use imapclient, with and without a timeout."""
import os

import imapclient
from django.http import JsonResponse
from imapclient import IMAPClient, SocketTimeout

MAILBOX = {"host": os.environ.get("IMAP_HOST", "imap.example.com"), "timeout": 15}


def unread_count(request):
    client = imapclient.IMAPClient(MAILBOX["host"], ssl=True)  # expect: HB203 "imapclient.IMAPClient() has no timeout" "imapclient connects and reads with none" "function 'unread_count'"
    client.login(os.environ["IMAP_USER"], os.environ["IMAP_PASSWORD"])
    return JsonResponse({"unread": len(client.search("UNSEEN"))})


def mark_seen(request, uid):
    with IMAPClient(MAILBOX["host"], timeout=None) as client:  # expect: HB203 "IMAPClient() passes timeout=None"
        client.add_flags([uid], [imapclient.SEEN])
    return JsonResponse({"ok": True})


def timed(request):
    by_name = IMAPClient(MAILBOX["host"], timeout=MAILBOX["timeout"])  # ok: timeout given by a name
    split = IMAPClient(MAILBOX["host"], timeout=SocketTimeout(connect=5, read=30))  # ok: a SocketTimeout
    positional = IMAPClient(MAILBOX["host"], 993, True, True, False, None, 10)  # ok: the seventh positional
    spread = IMAPClient(MAILBOX["host"], **{"timeout": 5})  # ok: a literal dict that gives it
    forwarded = IMAPClient(MAILBOX["host"], **request.GET.dict())  # ok: unseen options may give it
    return JsonResponse({"clients": [by_name.host, split.host, positional.host, spread.host, forwarded.host]})


def other_library(request):
    import imaplib
    return JsonResponse({"ok": imaplib.IMAP4_SSL(MAILBOX["host"], timeout=10) is not None})  # ok: the stdlib's, timed
