"""Forum API on Ariadne: resolvers bound on object types with decorators."""
from ariadne import MutationType, ObjectType, QueryType, SubscriptionType, make_executable_schema

from .models import Thread
from .registry import plugins

type_defs = open("schema.graphql").read()

query = QueryType()
mutation = MutationType()
thread_type = ObjectType("Thread")
subscription = SubscriptionType()


@query.field("thread")
def resolve_thread(*_, id):  # handler
    return Thread.objects.get(pk=id)


@thread_type.field("replies")
def resolve_replies(thread, info, *, first=20):  # handler
    return thread.replies.all()[:first]


@mutation.field("closeThread")
async def resolve_close_thread(_, info, id):  # handler
    thread = await Thread.objects.aget(pk=id)
    await thread.aclose()
    return thread


@subscription.source("replyAdded")
async def reply_added_source(_, info, thread):  # handler
    async for reply in Thread.watch(thread):
        yield reply


@plugins.register
def audit(event):
    return event


def resolve_unbound(*_):
    return None


schema = make_executable_schema(type_defs, query, mutation, thread_type, subscription)
