"""Library API on Graphene (Django): resolve_<field> methods and mutations."""
import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from .models import Author, Book


class BookType(DjangoObjectType):
    class Meta:
        model = Book

    cover_url = graphene.String()

    def resolve_cover_url(self, info):  # handler
        return info.context.build_absolute_uri(self.cover.url)

    def cover_path(self):
        return self.cover.path


class AuthorType(graphene.ObjectType):
    name = graphene.String()
    books = graphene.List(BookType)

    def resolve_books(root, info):  # handler
        return Book.objects.filter(author_id=root.id)

    @staticmethod
    def format_name(name):
        return name.strip()


class Query(graphene.ObjectType):
    book = graphene.Field(BookType, id=graphene.ID(required=True))
    authors = graphene.List(AuthorType)

    def resolve_book(root, info, id):  # handler
        return Book.objects.get(pk=id)

    def resolve_authors(root, info):  # handler
        return Author.objects.all()


class CreateBook(graphene.Mutation):
    class Arguments:
        title = graphene.String(required=True)

    book = graphene.Field(BookType)

    def mutate(root, info, title):  # handler
        return CreateBook(book=Book.objects.create(title=title))


class LendBook(relay.ClientIDMutation):
    class Input:
        book_id = graphene.ID(required=True)

    ok = graphene.Boolean()

    @classmethod
    def mutate_and_get_payload(cls, root, info, book_id):  # handler
        Book.objects.filter(pk=book_id).update(lent=True)
        return LendBook(ok=True)


class Mutations(graphene.ObjectType):
    create_book = CreateBook.Field()
    lend_book = LendBook.Field()


class ConfigResolver:
    """Not a GraphQL type: its resolve_ methods are plain helpers."""

    def resolve_path(self, name):
        return f"/etc/{name}"

    def mutate(self, value):
        return value + 1


schema = graphene.Schema(query=Query, mutation=Mutations)
