"""REST API with Django REST framework."""
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Ticket
from .serializers import TicketSerializer


class TicketViewSet(viewsets.ModelViewSet):
    queryset = Ticket.objects.all()
    serializer_class = TicketSerializer

    def list(self, request):  # handler
        return Response(TicketSerializer(self.get_queryset(), many=True).data)

    def create(self, request):  # handler
        serializer = TicketSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):  # handler
        ticket = self.get_object()
        ticket.close()
        return Response({"closed": True})

    def get_queryset(self):  # handler
        return Ticket.objects.filter(owner=self.request.user)

    def perform_destroy(self, instance):  # handler
        instance.archive()


class TicketStats(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, format=None):  # handler
        return Response({"open": Ticket.objects.open().count()})


class TicketDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Ticket.objects.all()
    serializer_class = TicketSerializer

    def patch(self, request, *args, **kwargs):  # handler
        return self.partial_update(request, *args, **kwargs)

    def get_serializer_context(self):  # handler
        return {"request": self.request}


class TicketSummary(generics.RetrieveAPIView):
    def get(self, *args, **kwargs):  # handler
        return super().get(*args, **kwargs)

    def summarise(self, request):
        return {"by": request.user.username}


class TicketImport(generics.CreateAPIView):
    # CreateAPIView.post() calls self.create(): the action serves the request
    def create(self, request, *args, **kwargs):  # handler
        return Response(self.import_rows(request.data), status=201)

    def import_rows(self, rows):
        return len(rows)


class TicketAudit(APIView):
    # a plain APIView dispatches verbs only: update() here is a helper
    def update(self, ticket):
        return ticket


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def ticket_count(request):  # handler
    return Response({"count": Ticket.objects.count()})


# -- not handlers ----------------------------------------------------------------

def ticket_summary(request, ticket):
    """Takes a request but lives outside views.py and is not routed."""
    return {"id": ticket.id, "by": request.user.username}


class TicketSerializerHelper:
    def get(self, request):
        return request.data
