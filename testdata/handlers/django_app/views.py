"""Blog views: function views, class-based views and helpers."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import DetailView, FormView, ListView, TemplateView

from .mixins import LoginRequiredBlogView
from .models import Comment, Post


def index(request):  # handler
    return render(request, "blog/index.html", {"posts": recent_posts()})


@login_required
def dashboard(request):  # handler
    return render(request, "blog/dashboard.html")


async def feed(request, fmt="rss"):  # handler
    return HttpResponse(await build_feed(fmt))


class PostListView(ListView):
    model = Post
    paginate_by = 20

    def get(self, request, *args, **kwargs):  # handler
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # handler
        return Post.objects.published()

    def published_count(self):
        return Post.objects.published().count()


class PostDetailView(DetailView):
    model = Post

    def post(self, request, *args, **kwargs):  # handler
        Comment.objects.create(post=self.get_object(), body=request.POST["body"])
        return self.get(request, *args, **kwargs)


class AboutView(TemplateView):
    template_name = "blog/about.html"


class LikeView(View):
    @method_decorator(login_required)
    def dispatch(self, request, *args, **kwargs):  # handler
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk):  # handler
        post = get_object_or_404(Post, pk=pk)
        post.likes += 1
        post.save()
        return JsonResponse({"likes": post.likes})


class BaseBlogView(View):
    def render_json(self, data):
        return JsonResponse(data)


class ArchiveView(BaseBlogView):
    def get(self, request, year):  # handler
        return self.render_json({"year": year, "posts": posts_of(year)})


class AuthorView(LoginRequiredBlogView):
    """A base from elsewhere in the project, named like a view: methods taking request count."""

    def get(self, request, slug):  # handler
        return render(request, "blog/author.html", {"slug": slug})

    def get_context(self, slug):
        return {"slug": slug}


@require_http_methods(["GET", "POST"])
def contact(request):  # handler
    return render(request, "blog/contact.html")


class NewsletterView(FormView):
    # Django's ProcessFormView.post() calls these on every request.
    template_name = "blog/newsletter.html"

    def form_valid(self, form):  # handler
        self.subscribe(form.cleaned_data["email"])
        return super().form_valid(form)

    def get_context_data(self, **kwargs):  # handler
        return {**super().get_context_data(**kwargs), "count": Post.objects.count()}

    def subscribe(self, email):
        return email


# -- not handlers ----------------------------------------------------------------

def recent_posts(limit=10):
    return Post.objects.order_by("-created")[:limit]


def posts_of(year):
    return Post.objects.filter(created__year=year)


async def build_feed(fmt):
    return f"<{fmt}/>"


def _client_ip(meta, request=None):
    return meta.get("REMOTE_ADDR")


class PostForm:
    def get(self, field):
        return self.cleaned_data.get(field)


from django.utils.deprecation import MiddlewareMixin  # noqa: E402


class SiteBannerMiddleware(MiddlewareMixin):
    """Old-style middleware: Django runs these hooks around every view."""

    def process_request(self, request):  # handler
        request.banner = recent_posts()[:1]

    def process_response(self, request, response):  # handler
        response["X-Banner"] = "1" if request.banner else "0"
        return response

    def banner_text(self, post):
        return post.title


class ProcessRequestLike:
    """Named like middleware, but nothing registers it: not a handler."""

    def process_request(self, request):
        return request
